using System.Globalization;
using System.Runtime.InteropServices;

namespace CredentialService.FakeCustomerIo;

/// <summary>
/// Standalone fake for benchmarks and manual runs.
///   dotnet run --project tests/CredentialService.FakeCustomerIo -- [port=5999] [delayMs=0]
///     one region where every key is valid;
///   dotnet run --project tests/CredentialService.FakeCustomerIo -- --demo [usPort=5081] [euPort=5082]
///     both regions, answering the demo keys of <see cref="DemoKeys"/> (scripts/run.sh --demo).
/// </summary>
internal static class FakeCustomerIoProgram
{
    public static async Task Main(string[] args)
    {
        var stop = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        if (args.Length > 0 && args[0] == "--demo")
        {
            var usPort = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5081;
            var euPort = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5082;
            var host = Environment.GetEnvironmentVariable("FAKE_CUSTOMERIO_HOST") ?? "127.0.0.1";
            await using var us = await FakeCustomerIoServer.StartAsync("us", usPort, host);
            await using var eu = await FakeCustomerIoServer.StartAsync("eu", euPort, host);
            DemoKeys.Program(us, eu, eu.BaseUrl);
            Console.WriteLine($"Fake Customer.io (demo): us on {us.BaseUrl}, eu on {eu.BaseUrl}. Demo keys:");
            foreach (var (key, region, outcome) in DemoKeys.Table)
                Console.WriteLine($"  {key,-26} region {region,-9} -> {outcome}");
            await stop.Task;
            return;
        }

        var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5999;
        var delay = TimeSpan.FromMilliseconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0);
        await using var fake = await FakeCustomerIoServer.StartAsync("standalone", port);
        fake.DefaultReply = FakeReply.Ok() with { Delay = delay };
        Console.WriteLine($"Fake Customer.io listening on {fake.BaseUrl} (every key valid, delay {delay.TotalMilliseconds} ms)");
        await stop.Task;
    }
}
