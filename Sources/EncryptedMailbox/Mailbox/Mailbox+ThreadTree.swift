import CommunityMailMessage
import Foundation

extension Mailbox {
    /// The folder's conversations as trees, after RFC 5256's REFERENCES algorithm (steps 1
    /// to 4: linking by References / In-Reply-To without loops, pruning empty gaps, sorting
    /// siblings by sent date; roots are not merged by subject). Roots are ordered by their
    /// first message's sent date, then UID. Shared by every implementation.
    public func threadTree(in folder: String) async throws -> [MessageThreadNode] {
        ThreadTreeBuilder.build(try await fetch(.all, in: folder, content: .metadata))
    }
}

/// Builds conversation trees from indexed envelopes.
enum ThreadTreeBuilder {
    private struct Node {
        var uid: UInt32?
        var date: Int64 = 0
        var parent: Int?
        var children: [Int] = []
    }

    static func build(_ messages: [FetchedMessage]) -> [MessageThreadNode] {
        var nodes: [Node] = []
        var byID: [String: Int] = [:]
        func node(for id: String) -> Int {
            if let existing = byID[id] { return existing }
            nodes.append(Node())
            byID[id] = nodes.count - 1
            return nodes.count - 1
        }
        func isAncestor(_ candidate: Int, of child: Int) -> Bool {
            var current: Int? = child
            var steps = 0
            while let index = current, steps <= nodes.count {
                if index == candidate { return true }
                current = nodes[index].parent
                steps += 1
            }
            return false
        }
        func link(_ child: Int, to parent: Int) {
            guard child != parent, !isAncestor(child, of: parent) else { return }
            if let old = nodes[child].parent { nodes[old].children.removeAll { $0 == child } }
            nodes[child].parent = parent
            nodes[parent].children.append(child)
        }
        for message in messages {
            // A message without a Message-ID, or repeating one already used, stands alone.
            var key = message.envelope.messageID.map { "<" + $0 } ?? "uid:\(message.uid)"
            if let existing = byID[key], nodes[existing].uid != nil { key = "uid:\(message.uid)" }
            let own = node(for: key)
            nodes[own].uid = message.uid
            nodes[own].date = MailboxRules.seconds(message.envelope.date ?? message.internalDate)
            let references = (message.envelope.references.isEmpty ? Array(message.envelope.inReplyTo.prefix(1)) : message.envelope.references)
                .map { node(for: "<" + $0) }
            for (parent, child) in zip(references, references.dropFirst()) where nodes[child].parent == nil {
                link(child, to: parent)
            }
            if let last = references.last {
                link(own, to: last)
            } else if let old = nodes[own].parent {
                nodes[old].children.removeAll { $0 == own }
                nodes[own].parent = nil
            }
        }
        // Pruning and sorting, bottom-up.
        func prune(_ index: Int, atRoot: Bool) -> [MessageThreadNode] {
            var children = nodes[index].children.flatMap { prune($0, atRoot: false) }
            children.sort(by: earlier)
            if nodes[index].uid == nil {
                if children.isEmpty { return [] }
                // A gap's replies move up, except several replies at the top, which stay
                // grouped under the gap.
                if !atRoot || children.count == 1 { return children }
            }
            return [MessageThreadNode(uid: nodes[index].uid, children: children)]
        }
        func firstDate(_ node: MessageThreadNode) -> (Int64, UInt32) {
            if let uid = node.uid, let index = uidIndex[uid] { return (nodes[index].date, uid) }
            return node.children.first.map(firstDate) ?? (Int64.max, UInt32.max)
        }
        func earlier(_ a: MessageThreadNode, _ b: MessageThreadNode) -> Bool {
            let (left, right) = (firstDate(a), firstDate(b))
            return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
        }
        var uidIndex: [UInt32: Int] = [:]
        for (index, node) in nodes.enumerated() { if let uid = node.uid { uidIndex[uid] = index } }
        return nodes.indices.filter { nodes[$0].parent == nil }.flatMap { prune($0, atRoot: true) }.sorted(by: earlier)
    }
}
