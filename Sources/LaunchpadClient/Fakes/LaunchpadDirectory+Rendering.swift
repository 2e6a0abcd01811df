import Foundation
public import HTTPTransport

/// Serving the directory as Launchpad's web service does: the same URLs, JSON shapes,
/// paging (`ws.start`, `ws.size` up to 300, `next_collection_link`, `total_size`, or
/// `total_size_link` in devel), entity tags and `304`, and plain-text errors.
extension LaunchpadDirectory {
    /// Launchpad's largest `ws.size`.
    public static let maximumPageSize = 300
    /// The `ws.size` used when a request gives none.
    public static let defaultPageSize = 75

    /// The response Launchpad would give to `request` when served at `serviceRoot`.
    /// Versions `1.0` and `devel` are served; only GET (and HEAD) are allowed.
    public func response(to request: HTTPRequest, serviceRoot: LaunchpadServiceRoot) -> HTTPResponse {
        guard request.method == .get || request.method == .head else {
            return text(405, "Only GET is served here.", extra: [("Allow", "GET")])
        }
        guard let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false) else {
            return text(400, "Bad request URL.")
        }
        let rootPath = URLComponents(url: serviceRoot.url, resolvingAgainstBaseURL: false)?.path ?? "/"
        guard components.path.hasPrefix(rootPath) else { return text(404, "Not found.") }
        let segments = components.path.dropFirst(rootPath.count).split(separator: "/", omittingEmptySubsequences: true)
            .map { $0.removingPercentEncoding ?? String($0) }
        guard let versionText = segments.first, let version = LaunchpadAPIVersion(rawValue: versionText),
              version == .v1_0 || version == .devel
        else { return text(404, "Unknown API version.") }
        let query = (components.queryItems ?? []).reduce(into: [String: String]()) { $0[$1.name] = $1.value ?? "" }
        let rest = Array(segments.dropFirst())
        guard let first = rest.first, first.hasPrefix("~"), let account = account(named: first) else {
            let name = rest.first ?? ""
            return text(404, "Object: <lp.registry.model.personset.PersonSet object>, name: '\(name)'")
        }
        let context = RenderContext(root: serviceRoot, version: version)
        switch rest.count {
        case 1:
            let entry = personEntry(account, context)
            return entryResponse(entry, request: request)
        case 2 where ["members", "participants", "members_details"].contains(rest[1]):
            return collectionResponse(account: account, collection: rest[1], query: query, context: context)
        case 3 where rest[1] == "+member":
            guard let membership = membership(of: String(rest[2]), in: account.name) else {
                return text(404, "Object: \(account.name), name: '\(rest[2])'")
            }
            return entryResponse(membershipEntry(membership, context), request: request)
        default:
            return text(404, "Object: \(account.name), name: '\(rest.dropFirst().joined(separator: "/"))'")
        }
    }

    // MARK: Shapes

    /// Where links point.
    struct RenderContext {
        let root: LaunchpadServiceRoot
        let version: LaunchpadAPIVersion
        var base: String { root.url.absoluteString + version.rawValue + "/" }
    }

    private func value(_ account: Account, _ field: String, _ value: Any) -> Any {
        account.redactedFields.contains(field) ? Redactable<Bool>.marker : value
    }

    private func value(_ membership: Membership, _ field: String, _ value: Any) -> Any {
        membership.redactedFields.contains(field) ? Redactable<Bool>.marker : value
    }

    /// A person or team entry as Launchpad renders it (the `http_etag` included).
    func personEntry(_ account: Account, _ context: RenderContext) -> [String: Any] {
        let own = context.base + "~" + account.name
        var fields: [String: Any] = [
            "self_link": own,
            "web_link": "https://launchpad.net/~" + account.name,
            "resource_type_link": context.base + (account.isTeam ? "#team" : "#person"),
            "name": account.name,
            "display_name": value(account, "display_name", account.displayName),
            "is_team": value(account, "is_team", account.isTeam),
            "is_valid": value(account, "is_valid", account.isValid),
            "is_ubuntu_coc_signer": value(account, "is_ubuntu_coc_signer", account.isUbuntuCoCSigner),
            "is_probationary": value(account, "is_probationary", account.isProbationary),
            "karma": value(account, "karma", account.karma),
            "visibility": value(account, "visibility", account.visibility.rawValue),
            "private": account.visibility == .private,
            "date_created": value(account, "date_created", LaunchpadDate.format(account.dateCreated)),
            "time_zone": value(account, "time_zone", account.timeZone),
            "hide_email_addresses": false,
            "preferred_email_address_link": Redactable<Bool>.marker,
            "description": value(account, "description", ""),
            "members_collection_link": own + "/members",
            "participants_collection_link": own + "/participants",
            "members_details_collection_link": own + "/members_details",
            "team_owner_link": account.teamOwner.map { context.base + "~" + $0 } ?? NSNull(),
        ]
        fields["http_etag"] = Self.etag(of: "\(context.base)|\(account)")
        return fields
    }

    /// A `team_membership` entry.
    func membershipEntry(_ membership: Membership, _ context: RenderContext) -> [String: Any] {
        var fields: [String: Any] = [
            "self_link": context.base + "~\(membership.team)/+member/\(membership.member)",
            "web_link": "https://launchpad.net/~\(membership.team)/+member/\(membership.member)",
            "resource_type_link": context.base + "#team_membership",
            "member_link": value(membership, "member_link", context.base + "~" + membership.member),
            "team_link": value(membership, "team_link", context.base + "~" + membership.team),
            "status": value(membership, "status", membership.status.rawValue),
            "date_created": value(membership, "date_created", LaunchpadDate.format(membership.dateCreated)),
            "date_joined": value(membership, "date_joined", membership.dateJoined.map(LaunchpadDate.format) ?? NSNull()),
            "date_expires": value(membership, "date_expires", membership.dateExpires.map(LaunchpadDate.format) ?? NSNull()),
            "last_change_comment": value(membership, "last_change_comment", membership.lastChangeComment ?? NSNull()),
            "last_changed_by_link": NSNull(),
        ]
        fields["http_etag"] = Self.etag(of: "\(context.base)|\(membership)")
        return fields
    }

    private func collectionResponse(
        account: Account, collection: String, query: [String: String], context: RenderContext
    ) -> HTTPResponse {
        let path = "~\(account.name)/\(collection)"
        // Only the requested slice is rendered: pages of big teams stay cheap.
        let count: Int
        let render: (Range<Int>) -> [[String: Any]]
        switch collection {
        case "members_details":
            let memberships = activeMemberships(of: account.name)
            count = memberships.count
            render = { range in memberships[range].map { membershipEntry($0, context) } }
        default:
            let accounts = collection == "members" ? members(of: account.name) : participants(of: account.name)
            count = accounts.count
            render = { range in accounts[range].map { personEntry($0, context) } }
        }
        if query["ws.show"] == "total_size" { return json(200, count) }

        let start: Int
        let size: Int
        if let given = query["ws.start"] {
            guard let value = Int(given), value >= 0 else { return text(400, "Invalid value for \"ws.start\".") }
            start = value
        } else {
            start = 0
        }
        if let given = query["ws.size"] {
            guard let value = Int(given), value > 0 else { return text(400, "Invalid value for \"ws.size\".") }
            guard value <= Self.maximumPageSize else {
                return text(400, "Maximum for \"ws.size\" parameter is \(Self.maximumPageSize).")
            }
            size = value
        } else {
            size = Self.defaultPageSize
        }

        let end = min(count, start + size)
        let slice = start < end ? render(start..<end) : []
        let isLast = end >= count
        var page: [String: Any] = [
            "start": start,
            "entries": slice,
            "resource_type_link": context.base + (collection == "members_details" ? "#team_membership-page-resource" : "#person-page-resource"),
        ]
        // Like lazr.restful: devel sends a link to the size instead of the size, except on
        // the last page, where the size is known anyway.
        if context.version == .devel, !isLast {
            page["total_size_link"] = context.base + path + "?ws.show=total_size"
        } else {
            page["total_size"] = count
        }
        if !isLast {
            page["next_collection_link"] = context.base + path + "?ws.size=\(size)&memo=\(end)&ws.start=\(end)"
        }
        if start > 0 {
            let previous = max(0, start - size)
            page["prev_collection_link"] = context.base + path + "?ws.size=\(size)&memo=\(previous)&ws.start=\(previous)&direction=backwards"
        }
        return json(200, page)
    }

    // MARK: Responses

    private func entryResponse(_ entry: [String: Any], request: HTTPRequest) -> HTTPResponse {
        let etag = entry["http_etag"] as? String ?? ""
        if let asked = request.headers["If-None-Match"], asked == etag {
            return HTTPResponse(status: 304, headers: ["ETag": etag], url: request.url)
        }
        var response = json(200, entry)
        response.headers["ETag"] = etag
        response.url = request.url
        return response
    }

    private func json(_ status: Int, _ value: Any) -> HTTPResponse {
        let body = LaunchpadJSONWriter.data(value)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    private func text(_ status: Int, _ message: String, extra: [(String, String)] = []) -> HTTPResponse {
        var headers = HTTPHeaders(extra)
        headers["Content-Type"] = "text/plain;charset=utf-8"
        return HTTPResponse(status: status, headers: headers, body: Data(message.utf8))
    }

    /// A stable entity tag for an entry: two FNV-1a variants over a text naming every
    /// value the entry shows, quoted. Any change to the entry changes it.
    static func etag(of text: String) -> String {
        let data = text.utf8
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in data {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second &* 0x0000_0100_0000_01b3) ^ UInt64(byte)
        }
        return "\"\(String(first, radix: 16))-\(String(second, radix: 16))\""
    }
}
