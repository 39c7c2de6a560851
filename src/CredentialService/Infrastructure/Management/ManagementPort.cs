using System.Globalization;

namespace CredentialService.Infrastructure.Management;

/// <summary><c>Management:Port</c>: a separate port for <c>/metrics</c> and <c>/health/*</c> (off when unset).</summary>
public sealed class ManagementOptions
{
    public int? Port { get; set; }
}

/// <summary>
/// With <c>Management:Port</c> set, the service listens on that port as well, serves <c>/metrics</c> and
/// <c>/health/*</c> only there, and serves nothing else there: probes and Prometheus use the management port, the
/// API port (the one the ingress routes to) does not show metrics. The port is told by the connection's local port,
/// not by the Host header, which a caller chooses.
/// </summary>
public static class ManagementPort
{
    public const string Section = "Management";

    public static IHostApplicationBuilder AddManagementPort(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ManagementOptions>().BindConfiguration(Section)
            .Validate(o => o.Port is null or (> 0 and <= 65535), "Management:Port must be a TCP port (1..65535).")
            .ValidateOnStart();
        if (PortOf(builder.Configuration) is not { } port) return builder;

        // Kestrel listens on the configured URLs (ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS/HTTPS_PORTS, else its
        // default) plus the management port. Endpoints configured under Kestrel:Endpoints replace all of these: add
        // the management port there too.
        var configuration = builder.Configuration;
        var urls = Split(configuration["urls"]).ToList();
        if (urls.Count == 0)
        {
            urls.AddRange(Split(configuration["http_ports"]).Select(p => $"http://*:{p}"));
            urls.AddRange(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"));
        }

        if (urls.Count == 0) urls.Add("http://localhost:5000");
        urls.Add(string.Create(CultureInfo.InvariantCulture, $"http://*:{port}"));
        builder.WebHost.UseUrls([.. urls]);
        return builder;
    }

    public static WebApplication UseManagementPort(this WebApplication app)
    {
        if (PortOf(app.Configuration) is not { } port) return app;
        app.Use((context, next) =>
        {
            var onManagementPort = context.Connection.LocalPort == port;
            if (onManagementPort != IsManagementPath(context.Request.Path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        return app;
    }

    private static bool IsManagementPath(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");

    private static int? PortOf(IConfiguration configuration) =>
        configuration.GetValue<int?>($"{Section}:Port") is > 0 and var port ? port : null;

    private static string[] Split(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
