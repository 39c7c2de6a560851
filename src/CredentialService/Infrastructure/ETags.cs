using Microsoft.Net.Http.Headers;

namespace CredentialService.Infrastructure;

/// <summary>ETags are the row's version (its own write counter), quoted. <c>If-Match</c> is honoured on writes (RFC 9110 §13.1.1).</summary>
public static class ETags
{
    /// <summary>A version is a positive long in decimal: at most 19 digits.</summary>
    public const int MaxVersionLength = 19;

    public const string VersionPattern = "^[0-9]{1,19}$";

    public static string VersionString(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Header(long version) => Header(VersionString(version));

    public static string Header(string version) => $"\"{version}\"";

    /// <summary>
    /// The version an <c>If-Match</c> header demands, or null when there is none (or it is <c>*</c>).
    /// An If-Match that names no version this service could have issued can match nothing: it yields 0,
    /// which is never a version (versions start at 1).
    /// </summary>
    public static long? RequiredVersion(HttpRequest request)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0) return null;
        if (!EntityTagHeaderValue.TryParseList(header, out var tags) || tags.Count == 0) return 0;
        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any))) return null;
        var tag = tags[0];
        return long.TryParse(tag.Tag.AsSpan().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && !tag.IsWeak ? v : 0;
    }

    public static bool Matches(long? required, long actual) => required is null || required == actual;
}
