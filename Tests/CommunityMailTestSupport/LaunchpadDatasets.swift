import Foundation
public import LaunchpadClient

/// Ready-made ``LaunchpadClient/LaunchpadDirectory`` contents for tests and benchmarks.
public enum LaunchpadDatasets {
    /// The name of member `index` in ``largeTeam(named:memberCount:)``: `member-00042`.
    public static func memberName(_ index: Int) -> String {
        let digits = String(index)
        return "member-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// A directory with one team of `memberCount` people (`member-00000`...), all valid
    /// Code of Conduct signers, with display names that sort in index order.
    public static func largeTeam(named team: String, memberCount: Int) throws -> LaunchpadDirectory {
        var directory = LaunchpadDirectory()
        try directory.addTeam(team, displayName: "Team \(team)")
        for index in 0..<memberCount {
            let name = memberName(index)
            try directory.add(.init(name: name, displayName: "Member \(name)", karma: index))
            try directory.addMember(name, to: team)
        }
        return directory
    }

    /// A small community for membership suites:
    /// - `ubuntumembers` has `alice` (approved), `bob` (administrator), `carol` (proposed:
    ///   not a member), `dave` (deactivated: not a member) and the team `kubuntu-members`.
    /// - `kubuntu-members` has `erin` and the team `kubuntu-council`, which has `frank`.
    /// - `lubuntu-members` has `alice` and `grace`; `grace` is not a valid account.
    /// - `mallory` is a person in no team; `hidden` has a redacted `is_ubuntu_coc_signer`.
    public static func community() throws -> LaunchpadDirectory {
        var directory = LaunchpadDirectory()
        for (name, display) in [("alice", "Alice Liddell"), ("bob", "Bob Builder"), ("carol", "Carol Danvers"),
                                ("dave", "Dave Bowman"), ("erin", "Erin Brockovich"), ("frank", "Frank Poole"),
                                ("mallory", "Mallory Knox")]
        {
            try directory.addPerson(name, displayName: display, karma: name.count * 100)
        }
        try directory.add(.init(name: "grace", displayName: "Grace Hopper", isValid: false))
        try directory.add(.init(name: "hidden", displayName: "Hidden Person", redactedFields: ["is_ubuntu_coc_signer", "karma"]))
        try directory.addPerson("noconduct", displayName: "No Conduct", isUbuntuCoCSigner: false)
        try directory.addTeam("ubuntumembers", displayName: "Ubuntu Members", owner: "bob")
        try directory.addTeam("kubuntu-members", displayName: "Kubuntu Members")
        try directory.addTeam("kubuntu-council", displayName: "Kubuntu Council")
        try directory.addTeam("lubuntu-members", displayName: "Lubuntu Members")
        try directory.addMember("alice", to: "ubuntumembers")
        try directory.addMember("bob", to: "ubuntumembers", status: .administrator)
        try directory.addMember("carol", to: "ubuntumembers", status: .proposed)
        try directory.addMember("dave", to: "ubuntumembers", status: .deactivated)
        try directory.addMember("kubuntu-members", to: "ubuntumembers")
        try directory.addMember("erin", to: "kubuntu-members")
        try directory.addMember("kubuntu-council", to: "kubuntu-members")
        try directory.addMember("frank", to: "kubuntu-council")
        try directory.addMember("alice", to: "lubuntu-members")
        try directory.addMember("grace", to: "lubuntu-members")
        return directory
    }
}
