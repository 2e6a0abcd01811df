/// Which SMTP identity an SPF check authorises (RFC 7208 sections 2.3 and 2.4).
public enum SPFIdentity: String, Hashable, Sendable {
    /// The MAIL FROM reverse-path (`smtp.mailfrom` in Authentication-Results).
    case mailFrom = "mailfrom"
    /// The HELO/EHLO name (`smtp.helo` in Authentication-Results).
    case helo
}
