using System.Globalization;
using System.Runtime.InteropServices;

namespace CredentialService.FakeCustomerIo;

/// <summary>
/// Standalone fake for benchmarks and manual runs: every key is valid.
///   dotnet run --project tests/CredentialService.FakeCustomerIo -- [port=5999] [delayMs=0]
/// </summary>
internal static class FakeCustomerIoProgram
{
    public static async Task Main(string[] args)
    {
        var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5999;
        var delay = TimeSpan.FromMilliseconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0);
        await using var fake = await FakeCustomerIoServer.StartAsync("standalone", port);
        fake.DefaultReply = FakeReply.Ok() with { Delay = delay };
        Console.WriteLine($"Fake Customer.io listening on {fake.BaseUrl} (every key valid, delay {delay.TotalMilliseconds} ms)");
        var stop = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stop.Task;
    }
}
