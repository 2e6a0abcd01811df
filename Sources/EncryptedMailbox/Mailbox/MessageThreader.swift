/// Groups messages into conversations: two messages are in one thread when one's
/// Message-ID appears in the other's In-Reply-To or References, or both name a common
/// ancestor id (a union-find over ids, like the REFERENCES algorithm of RFC 5256 without
/// its subject merging). Both mailbox implementations use it.
enum MessageThreader {
    struct Input {
        var uid: UInt32
        var messageID: String?
        var inReplyTo: [String]
        var references: [String]
    }

    static func threads(_ messages: [Input]) -> [[UInt32]] {
        var parent: [String: String] = [:]
        func find(_ id: String) -> String {
            var root = id
            while let next = parent[root], next != root { root = next }
            var node = id
            while let next = parent[node], next != root {
                parent[node] = root
                node = next
            }
            return root
        }
        func union(_ a: String, _ b: String) {
            let rootA = find(a)
            let rootB = find(b)
            if rootA != rootB { parent[rootB] = rootA }
        }
        // A message without a Message-ID gets a private key, so it is a thread of its own
        // unless its references join it to others.
        func key(_ message: Input) -> String { "<" + (message.messageID ?? "uid:\(message.uid)") }
        for message in messages {
            let own = key(message)
            if parent[own] == nil { parent[own] = own }
            for id in message.references + message.inReplyTo {
                let other = "<" + id
                if parent[other] == nil { parent[other] = other }
                union(own, other)
            }
        }
        var groups: [String: [UInt32]] = [:]
        for message in messages { groups[find(key(message)), default: []].append(message.uid) }
        return groups.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
