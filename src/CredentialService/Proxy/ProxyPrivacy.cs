using System.Diagnostics;

namespace CredentialService.Proxy;

/// <summary>
/// A proxy path carries customers' personal data (<c>v1/customers/jane@example.com/attributes?email=...</c>): it must
/// not reach a log line, a span or a metric. The framework's own request logs print the full path and query, so on a
/// proxy request they are silenced (the proxy writes its own line with the first two segments); the server span's
/// <c>url.path</c> is cut to the first two segments and its query dropped.
/// </summary>
internal static class ProxyPrivacy
{
    /// <summary>Categories whose messages can carry a request's path or query (at any level).</summary>
    private static readonly string[] PathLoggingCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.StaticFiles",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Yarp",
    ];

    public static bool IsProxyPath(PathString path)
    {
        // /v1/credentials/{id}/proxy/...
        var value = path.Value;
        if (value is null || !value.StartsWith("/v1/credentials/", StringComparison.OrdinalIgnoreCase)) return false;
        var afterId = value.IndexOf('/', "/v1/credentials/".Length);
        return afterId > 0 && value.AsSpan(afterId).StartsWith("/proxy/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// For each category above, a rule that keeps the configured level (Logging:LogLevel, most specific prefix wins)
    /// and drops the messages written while a proxy request is being served.
    /// </summary>
    public static void KeepPathsOutOfLogs(IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        var levels = builder.Configuration.GetSection("Logging:LogLevel");
        var accessor = new Lazy<IHttpContextAccessor>(() => new HttpContextAccessor()); // AsyncLocal-backed: any instance sees the current context
        foreach (var category in PathLoggingCategories)
        {
            var minimum = ConfiguredLevel(levels, category);
            builder.Logging.AddFilter(category, level =>
                level >= minimum && !(accessor.Value.HttpContext is { } context && IsProxyPath(context.Request.Path)));
        }
    }

    public static void RedactServerSpan(Activity activity, HttpRequest request)
    {
        if (!IsProxyPath(request.Path)) return;
        var path = request.Path.Value!;
        var proxyAt = path.IndexOf("/proxy/", StringComparison.OrdinalIgnoreCase) + "/proxy/".Length;
        var rest = path[proxyAt..].Split('/');
        activity.SetTag("url.path", path[..proxyAt] + string.Join('/', rest.Take(2)) + (rest.Length > 2 ? "/…" : ""));
        activity.SetTag("url.query", null);
        activity.SetTag("url.full", null);
    }

    private static LogLevel ConfiguredLevel(IConfigurationSection levels, string category)
    {
        var best = levels.GetChildren()
            .Where(c => c.Key != "Default" && (category == c.Key || category.StartsWith(c.Key + ".", StringComparison.Ordinal)))
            .MaxBy(c => c.Key.Length)?.Value ?? levels["Default"];
        return Enum.TryParse<LogLevel>(best, ignoreCase: true, out var level) ? level : LogLevel.Information;
    }
}
