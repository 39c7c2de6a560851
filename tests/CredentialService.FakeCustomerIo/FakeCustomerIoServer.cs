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
    public const string UnauthorizedBody = """{"errors":[{"detail":"unauthorized","status":"401"}]}""";

    public static FakeReply Ok() => new(200, """{"workspaces":[{"id":1,"name":"Fake workspace"}]}""");

    public static FakeReply Unauthorized() => new(401, UnauthorizedBody);
}

/// <summary>One request the fake received.</summary>
public sealed record RecordedRequest(string Method, string Host, string PathAndQuery, string? Authorization, DateTimeOffset At,
    IReadOnlyDictionary<string, string>? Headers = null);

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

    public static async Task<FakeCustomerIoServer> StartAsync(string name, int port = 0)
    {
        var fake = new FakeCustomerIoServer(name);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().UseUrls($"http://127.0.0.1:{port}");
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
        requests.Enqueue(new RecordedRequest(
            context.Request.Method, context.Request.Host.Value ?? "", context.Request.Path + context.Request.QueryString,
            authorization.Length == 0 ? null : authorization, DateTimeOffset.UtcNow,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));

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
