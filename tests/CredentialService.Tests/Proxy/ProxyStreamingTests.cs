using System.Net;
using System.Security.Cryptography;
using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests.Proxy;

/// <summary>
/// A large answer streams through: the bytes arrive identical and the process's memory grows by far less than the
/// body. Runs alone (the memory of the test process is what is measured).
/// </summary>
[Collection(TelemetryTestsGroup.Name)]
public sealed class ProxyStreamingTests : IsolatedServiceTest
{
    private const long BodyBytes = 50L * 1024 * 1024;

    [Fact]
    public async Task A_50_MB_answer_streams_through_with_identical_bytes_and_without_being_buffered()
    {
        var client = Host.KestrelClientFor(SharedService.NewTenant(), ProxyForwardingTests.ProxyScopes);
        var key = SharedService.NewKey();
        Us.Respond(key, new FakeReply(200) { StreamedBodyBytes = BodyBytes });
        var id = (await client.CreateCredential(key))["id"]!.GetValue<Guid>();

        var expected = SHA256.Create();
        var chunk = new byte[64 * 1024];
        for (long offset = 0; offset < BodyBytes; offset += chunk.Length)
        {
            for (var i = 0; i < chunk.Length; i++) chunk[i] = FakeReply.StreamedByte(offset + i);
            expected.TransformBlock(chunk, 0, chunk.Length, null, 0);
        }

        expected.TransformFinalBlock([], 0, 0);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(5);
            }
        });

        using var response = await client.GetAsync($"/v1/credentials/{id}/proxy/v1/exports/1/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BodyBytes, response.Content.Headers.ContentLength);
        var actual = SHA256.Create();
        long received = 0;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            int read;
            while ((read = await body.ReadAsync(chunk)) > 0)
            {
                actual.TransformBlock(chunk, 0, read, null, 0);
                received += read;
            }
        }

        actual.TransformFinalBlock([], 0, 0);
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(BodyBytes, received);
        Assert.Equal(expected.Hash, actual.Hash);
        var growth = peak - baseline;
        // Buffering the body anywhere on the way (service, forwarder, fake or client) would add 50 MB at least.
        Assert.True(growth < 16 * 1024 * 1024, $"managed memory grew by {growth / (1024 * 1024)} MB while 50 MB streamed through");
    }
}
