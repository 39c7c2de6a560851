using System.Buffers.Text;

namespace CredentialService.Credentials;

/// <summary>The opaque <c>cursor</c> of the list: the id of the last credential of the previous page (keyset paging).</summary>
public static class CredentialCursor
{
    /// <summary>16 bytes in base64url without padding.</summary>
    public const int Length = 22;

    public const string Pattern = "^[A-Za-z0-9_-]{22}$";

    public static string Encode(Guid lastId) => Base64Url.EncodeToString(lastId.ToByteArray(bigEndian: true));

    public static bool TryDecode(string cursor, out Guid lastId)
    {
        lastId = Guid.Empty;
        Span<byte> bytes = stackalloc byte[16];
        // IsValid first: TryDecodeFromChars throws, rather than answering false, on some malformed input.
        if (cursor.Length != Length || !Base64Url.IsValid(cursor)
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != 16) return false;
        lastId = new Guid(bytes, bigEndian: true);
        return true;
    }
}
