using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace CredentialService.ConnectionTests;

/// <summary>A Customer.io workspace an App API Key opens, as <c>GET /v1/workspaces</c> names it.</summary>
public sealed record Workspace(
    [property: MaxLength(Workspaces.MaxFieldLength)] string Id,
    [property: MaxLength(Workspaces.MaxFieldLength)] string Name);

/// <summary>
/// Reads <c>{"workspaces":[{"id":...,"name":...}]}</c> from a successful <c>GET /v1/workspaces</c>. The body is not
/// documented as a contract, so any other shape gives null (the verdict stays ok), never an error.
/// </summary>
public static class Workspaces
{
    public const int MaxListed = 20;
    private const int MaxBodyBytes = 64 * 1024;
    internal const int MaxFieldLength = 200;

    public static async Task<IReadOnlyList<Workspace>?> ReadAsync(HttpContent content, CancellationToken ct)
    {
        var buffer = new byte[MaxBodyBytes];
        var length = 0;
        await using var stream = await content.ReadAsStreamAsync(ct);
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0) length += read;
        return length == buffer.Length ? null : Parse(buffer.AsMemory(0, length));
    }

    public static IReadOnlyList<Workspace>? Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("workspaces", out var list)
                || list.ValueKind != JsonValueKind.Array)
                return null;

            var workspaces = new List<Workspace>();
            foreach (var item in list.EnumerateArray())
            {
                if (workspaces.Count == MaxListed) break;
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("id", out var id) || Text(id) is not { } idText
                    || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                    || name.GetString() is not { } nameText)
                    return null;
                workspaces.Add(new Workspace(idText, Truncate(nameText)));
            }

            return workspaces;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Ids come as numbers or strings; both become strings.</summary>
    private static string? Text(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String when id.GetString() is { Length: > 0 } s => Truncate(s),
        JsonValueKind.Number => Truncate(id.GetRawText()),
        _ => null,
    };

    private static string Truncate(string value) => value.Length <= MaxFieldLength ? value : value[..MaxFieldLength];
}
