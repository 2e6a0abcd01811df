public import Foundation

extension LaunchpadPerson {
    /// Decodes a person or team entry.
    /// - Throws: ``LaunchpadError/missingField`` naming the field, or
    ///   ``LaunchpadError/malformedField`` for a value of the wrong type.
    init(json object: LaunchpadJSONObject) throws {
        typealias J = LaunchpadJSONObject
        let selfLink = try object.requiredURL("self_link")
        self.init(
            name: try object.requiredString("name"),
            displayName: try object.requiredRedactable("display_name", J.readString),
            isTeam: try Self.teamFlag(in: object),
            isValid: try object.requiredRedactable("is_valid", J.readBool),
            isUbuntuCoCSigner: try object.requiredRedactable("is_ubuntu_coc_signer", J.readBool),
            isProbationary: try object.optionalRedactable("is_probationary", J.readBool),
            karma: try object.optionalRedactable("karma", J.readInt),
            visibility: try object.optionalRedactable("visibility", J.readString).map { $0.map(LaunchpadVisibility.init(rawValue:)) },
            dateCreated: try object.optionalRedactable("date_created", J.readDate),
            timeZone: try object.optionalRedactable("time_zone", J.readString),
            links: Links(
                selfLink: selfLink,
                resourceTypeLink: try object.optionalURL("resource_type_link"),
                webLink: try object.optionalURL("web_link"),
                members: try object.optionalURL("members_collection_link"),
                participants: try object.optionalURL("participants_collection_link"),
                membersDetails: try object.optionalURL("members_details_collection_link"),
                teamOwner: try object.optionalURL("team_owner_link")),
            httpETag: try object.optionalString("http_etag"))
    }

    /// `is_team`, or when it is redacted the kind `resource_type_link` names.
    private static func teamFlag(in object: LaunchpadJSONObject) throws -> Redactable<Bool> {
        let flag = try object.requiredRedactable("is_team", LaunchpadJSONObject.readBool)
        guard flag == .redacted, let type = try object.optionalURL("resource_type_link")?.fragment else { return flag }
        switch type {
        case "team": return .value(true)
        case "person": return .value(false)
        default: return .redacted
        }
    }

    /// Decodes a person or team entry from a response body.
    /// - Throws: ``LaunchpadError``.
    public init(jsonData: Data) throws {
        try self.init(json: LaunchpadJSONObject(data: jsonData, kind: "person entry"))
    }
}
