public import CommunityMailSystem
import Foundation

extension PublicSuffixList {
    /// Where a list comes from.
    public enum Source: Sendable, Hashable {
        /// List text the caller holds.
        case text(String)
        /// A list file the caller names (read on the blocking executor).
        case file(path: String)
        /// The system's copy (``systemListPath``, Debian's `publicsuffix` package) when it
        /// can be read, otherwise the snapshot compiled into this module.
        case systemOrSnapshot
        /// The snapshot compiled into this module only (``snapshot``).
        case snapshot
    }

    /// Where Debian and Ubuntu's `publicsuffix` package puts the list.
    public static let systemListPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The snapshot compiled into this module (see `Scripts/update-public-suffix-list`),
    /// parsed once on first use with the default ``Configuration``. It needs no resource
    /// bundle, so it works wherever the binary is moved.
    public static let snapshot: PublicSuffixList = {
        do {
            return try PublicSuffixList(text: snapshotText)
        } catch {
            // The snapshot is generated and checked by the tests; an empty list would only
            // mean every name's suffix is its last label.
            return PublicSuffixList(exactRules: [], wildcardParents: [], exceptionRules: [], ignoredLineCount: 0)
        }
    }()

    /// The list from `source`. Files are read on `executor`, never on the cooperative pool.
    /// - Throws: ``MailAuthError/invalidArgument`` when a named file cannot be read, and
    ///   the errors of ``init(text:configuration:)``. `.systemOrSnapshot` never throws: a
    ///   missing or unreadable system copy gives the snapshot.
    public static func load(
        _ source: Source = .systemOrSnapshot, configuration: Configuration = Configuration(),
        executor: BlockingExecutor = .shared
    ) async throws(MailAuthError) -> PublicSuffixList {
        switch source {
        case .text(let text):
            return try PublicSuffixList(text: text, configuration: configuration)
        case .file(let path):
            return try await read(path, configuration: configuration, executor: executor)
        case .snapshot:
            return configuration == Configuration() ? snapshot : try PublicSuffixList(text: snapshotText, configuration: configuration)
        case .systemOrSnapshot:
            if let system = try? await read(systemListPath, configuration: configuration, executor: executor) { return system }
            return try await load(.snapshot, configuration: configuration, executor: executor)
        }
    }

    private static func read(_ path: String, configuration: Configuration, executor: BlockingExecutor) async throws(MailAuthError)
        -> PublicSuffixList
    {
        let limit = configuration.maximumTextLength
        let text: String = try await executor.run { () throws(MailAuthError) -> String in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw MailAuthError.invalidArgument.with(message: "the public suffix list file cannot be opened")
            }
            defer { try? handle.close() }
            // One byte past the limit tells a file that is too large from one that fits.
            guard let data = try? handle.read(upToCount: limit + 1) else {
                throw MailAuthError.invalidArgument.with(message: "the public suffix list file cannot be read")
            }
            guard data.count <= limit else {
                throw MailAuthError.limitExceeded.with(message: "the public suffix list file is larger than \(limit) bytes")
            }
            return String(decoding: data, as: UTF8.self)
        }
        return try PublicSuffixList(text: text, configuration: configuration)
    }
}
