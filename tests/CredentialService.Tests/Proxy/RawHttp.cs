using System.Net.Sockets;
using System.Text;

namespace CredentialService.Tests.Proxy;

/// <summary>
/// Sends a request target exactly as written (HttpClient would resolve "..", "." and normalise escapes first), to
/// check what the service does with what a hostile or sloppy client can really put on the wire.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body);

    public static async Task<Answer> SendAsync(Uri server, string method, string rawTarget, string bearer)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var request = $"{method} {rawTarget} HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {bearer}\r\n" +
                      "Content-Length: 0\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return new Answer(status, head, split < 0 ? "" : text[(split + 4)..]);
    }
}
