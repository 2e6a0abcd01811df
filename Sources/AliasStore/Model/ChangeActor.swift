/// Who made a change: a person (by user id) or an automated sync (by its name).
public enum ChangeActor: Sendable, Hashable, Codable {
    /// A signed-in person, by user id.
    case person(String)
    /// An automated job, such as the membership sync, by name.
    case sync(String)

    /// `person:<id>` or `sync:<name>`, for logs and exports.
    public var description: String {
        switch self {
        case .person(let id): "person:\(id)"
        case .sync(let name): "sync:\(name)"
        }
    }

    var kindText: String {
        switch self {
        case .person: "person"
        case .sync: "sync"
        }
    }

    var identifier: String {
        switch self {
        case .person(let id): id
        case .sync(let name): name
        }
    }

    init?(kind: String, identifier: String) {
        switch kind {
        case "person": self = .person(identifier)
        case "sync": self = .sync(identifier)
        default: return nil
        }
    }
}
