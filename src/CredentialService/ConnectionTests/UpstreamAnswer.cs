using System.Net;
using System.Text.Json;

namespace CredentialService.ConnectionTests;

/// <summary>What Customer.io answered to one <c>GET /v1/workspaces</c>: only the parts a verdict needs.</summary>
internal sealed record UpstreamAnswer(
    int Status, Uri? Location, int? RetryAfterSeconds, string? ErrorDetail, IReadOnlyList<Workspace>? Workspaces = null)
{
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task<UpstreamAnswer> ReadAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var location = response.Headers.Location is { } l && response.RequestMessage?.RequestUri is { } requested
            ? new Uri(requested, l)
            : response.Headers.Location;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => (int)Math.Ceiling(delta.TotalSeconds),
            { Date: { } date } => Math.Max(0, (int)Math.Ceiling((date - now).TotalSeconds)),
            _ => (int?)null,
        };
        var detail = status is >= 300 and < 500 ? await ReadErrorDetailAsync(response.Content, ct) : null;
        var workspaces = status is >= 200 and < 300 ? await ConnectionTests.Workspaces.ReadAsync(response.Content, ct) : null;
        return new UpstreamAnswer(status, location, retryAfter, detail, workspaces);
    }

    public bool IsSuccess => Status is >= 200 and < 300;

    public bool Is(HttpStatusCode code) => Status == (int)code;

    /// <summary>Both shapes Customer.io uses: <c>{"errors":[{"detail":"..."}]}</c> and <c>{"meta":{"error":"..."}}</c>.</summary>
    private static async Task<string?> ReadErrorDetailAsync(HttpContent content, CancellationToken ct)
    {
        var buffer = new byte[MaxBodyBytes];
        var length = 0;
        await using var stream = await content.ReadAsStreamAsync(ct);
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0) length += read;

        try
        {
            using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in errors.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                        return d.GetString();
                }
            }

            if (root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("error", out var m) && m.ValueKind == JsonValueKind.String)
                return m.GetString();
            return null;
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page, a truncated body): look for the one phrase that changes the verdict.
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, length);
            return text.Contains("wrong datacenter", StringComparison.OrdinalIgnoreCase) ? "wrong datacenter" : null;
        }
    }
}
