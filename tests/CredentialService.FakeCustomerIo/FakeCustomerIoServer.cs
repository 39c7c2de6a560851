using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CredentialService.FakeCustomerIo;

/// <summary>What the fake answers to a request carrying a given key.</summary>
public sealed record FakeReply(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    /// <summary>When set, the body is this many bytes of <see cref="StreamedByte"/>, written in 64 KiB chunks (never held whole).</summary>
    public long? StreamedBodyBytes { get; init; }

    /// <summary>The byte at <paramref name="offset"/> of a streamed body: a pattern a reader can check without a copy.</summary>
    public static byte StreamedByte(long offset) => (byte)(offset * 31 % 251);

    public const string UnauthorizedBody = """{"errors":[{"detail":"unauthorized","status":"401"}]}""";

    public const string WorkspaceName = "Fake workspace";

    /// <summary>Customer.io's answer to <c>GET /v1/workspaces</c> for a valid key: the workspace(s) the key opens.</summary>
    public static FakeReply Ok() => Ok(WorkspaceName);

    public static FakeReply Ok(string workspaceName, long workspaceId = 114022) => new(200, $$"""
        {"workspaces":[{"id":{{workspaceId}},"name":"{{workspaceName}}","messages_sent":18231,"billable_messages_sent":17002,"people":5310,"object_types":1}]}
        """);

    public static FakeReply Unauthorized() => new(401, UnauthorizedBody);
}

/// <summary>One request the fake received.</summary>
public sealed record RecordedRequest(string Method, string Host, string PathAndQuery, string? Authorization, DateTimeOffset At)
{
    /// <summary>The path as it arrived (still percent-encoded).</summary>
    public string Path { get; init; } = "";

    /// <summary>The query string with its '?', or empty.</summary>
    public string Query { get; init; } = "";

    /// <summary>Every request header, values joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public byte[] Body { get; init; } = [];

    /// <summary>Set when the caller hung up before the answer was complete.</summary>
    public bool Aborted { get; set; }
}

/// <summary>
/// A Customer.io App API stand-in: a real HTTP server on loopback that tests program per key (status, headers, body,
/// delay, redirect) and that records every request it receives. Unknown keys get Customer.io's 401.
/// </summary>
public sealed class FakeCustomerIoServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeReply> replies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private WebApplication? app;

    public string Name { get; }
    public Uri BaseUrl { get; private set; } = null!;
    public FakeReply DefaultReply { get; set; } = FakeReply.Unauthorized();
    public IReadOnlyCollection<RecordedRequest> Requests => requests;

    private FakeCustomerIoServer(string name) => Name = name;

    /// <param name="host">the address to listen on: loopback, or e.g. 0.0.0.0 so containers can reach it.</param>
    public static async Task<FakeCustomerIoServer> StartAsync(string name, int port = 0, string host = "127.0.0.1")
    {
        var fake = new FakeCustomerIoServer(name);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().UseUrls($"http://{host}:{port}");
        fake.app = builder.Build();
        fake.app.Run(fake.HandleAsync);
        await fake.app.StartAsync();
        var address = fake.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address);
        return fake;
    }

    /// <summary>Every request with <c>Authorization: Bearer {key}</c> gets <paramref name="reply"/>.</summary>
    public void Respond(string key, FakeReply reply) => replies[key] = reply;

    public IReadOnlyList<RecordedRequest> RequestsWithKey(string key) =>
        requests.Where(r => r.Authorization == $"Bearer {key}").ToList();

    private async Task HandleAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var at = DateTimeOffset.UtcNow;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
        var queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var recorded = new RecordedRequest(
            context.Request.Method, context.Request.Host.Value ?? "", context.Request.Path + context.Request.QueryString,
            authorization.Length == 0 ? null : authorization, at)
        {
            Path = queryAt < 0 ? rawTarget : rawTarget[..queryAt],
            Query = queryAt < 0 ? "" : rawTarget[queryAt..],
            Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body.ToArray(),
        };
        requests.Enqueue(recorded);
        using var aborted = context.RequestAborted.Register(() => recorded.Aborted = true);

        var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : "";
        var reply = replies.TryGetValue(key, out var programmed) ? programmed : DefaultReply;
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.StreamedBodyBytes is { } length)
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = length;
            var chunk = new byte[64 * 1024];
            try
            {
                for (long sent = 0; sent < length;)
                {
                    var size = (int)Math.Min(chunk.Length, length - sent);
                    for (var i = 0; i < size; i++) chunk[i] = FakeReply.StreamedByte(sent + i);
                    await context.Response.Body.WriteAsync(chunk.AsMemory(0, size), context.RequestAborted);
                    sent += size;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                recorded.Aborted = true;
            }

            return;
        }

        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
