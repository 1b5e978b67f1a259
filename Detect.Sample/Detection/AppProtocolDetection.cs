using System.Buffers.Binary;
using FlowEngine.Decode;

namespace Detect.Sample.Detection;

/// <summary>
/// Application-layer protocol detection on a flow's first payload bytes, as Suricata's does it for
/// the protocols rules name most: by pattern where the protocol has one (HTTP methods and status line,
/// TLS record header, SSH banner, DCE/RPC header, SMB marker) and by port and header sanity where it
/// has none (DNS, SMTP, FTP, NTP). Looks at one packet at a time: a pattern split over two TCP
/// segments is found on the segment that starts with it.
/// </summary>
internal static class AppProtocolDetection
{
    private static readonly byte[][] HttpMethods =
    [
        "GET "u8.ToArray(), "POST "u8.ToArray(), "HEAD "u8.ToArray(), "PUT "u8.ToArray(), "DELETE "u8.ToArray(),
        "OPTIONS "u8.ToArray(), "CONNECT "u8.ToArray(), "TRACE "u8.ToArray(), "PATCH "u8.ToArray(), "PROPFIND "u8.ToArray(),
    ];

    /// <summary>
    /// The first bytes of <see cref="HttpMethods"/>: a payload that starts with another byte (most
    /// that are not HTTP) is not compared with each method.
    /// </summary>
    private static readonly bool[] HttpMethodStarts = MethodStarts();

    /// <summary>The protocol <paramref name="payload"/> starts, or <see cref="AppProtocol.Unknown"/>.</summary>
    /// <param name="ipProtocol">The transport (6 or 17; others have no application layer here).</param>
    /// <param name="serverPort">The flow's destination port (the responder's).</param>
    /// <param name="toServer">Whether the payload goes client → server.</param>
    /// <param name="payload">The transport payload.</param>
    public static AppProtocol Detect(byte ipProtocol, ushort serverPort, bool toServer, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return AppProtocol.Unknown;
        }

        if (ipProtocol == IpProtocol.Udp)
        {
            return serverPort switch
            {
                53 or 5353 when LooksLikeDns(payload) => AppProtocol.Dns,
                123 when payload.Length >= 48 && (payload[0] >> 3 & 7) is >= 1 and <= 4 => AppProtocol.Ntp,
                _ => AppProtocol.Unknown,
            };
        }

        if (ipProtocol != IpProtocol.Tcp)
        {
            return AppProtocol.Unknown;
        }

        if (toServer)
        {
            if (HttpMethodStarts[payload[0]] && StartsWithMethod(payload))
            {
                return AppProtocol.Http;
            }
        }
        else if (payload.StartsWith("HTTP/1."u8))
        {
            return AppProtocol.Http;
        }

        if (payload.Length >= 3 && payload[0] is 0x16 or 0x17 or 0x15 && payload[1] == 3 && payload[2] <= 4)
        {
            return AppProtocol.Tls;
        }

        if (payload.StartsWith("SSH-"u8))
        {
            return AppProtocol.Ssh;
        }

        if (DcerpcPdu.Probe(payload))
        {
            return AppProtocol.Dcerpc;
        }

        // SMB over NetBIOS session service: a 4-byte length, then \xffSMB or \xfeSMB.
        if (payload.Length >= 8 && payload[0] == 0 && payload[4] is 0xff or 0xfe && payload[5..8].SequenceEqual("SMB"u8))
        {
            return AppProtocol.Smb;
        }

        return serverPort switch
        {
            53 when payload.Length > 2 && LooksLikeDns(payload[2..]) => AppProtocol.Dns,
            25 or 587 when (toServer ? StartsWithCommand(payload, "EHLO"u8, "HELO"u8) : StartsWithCode(payload)) => AppProtocol.Smtp,
            21 when (toServer ? StartsWithCommand(payload, "USER"u8, "AUTH"u8) : StartsWithCode(payload)) => AppProtocol.Ftp,
            _ => AppProtocol.Unknown,
        };
    }

    private static bool StartsWithMethod(ReadOnlySpan<byte> payload)
    {
        foreach (byte[] method in HttpMethods)
        {
            if (payload.StartsWith(method))
            {
                return true;
            }
        }

        return false;
    }

    private static bool[] MethodStarts()
    {
        bool[] starts = new bool[256];
        foreach (byte[] method in HttpMethods)
        {
            starts[method[0]] = true;
        }

        return starts;
    }

    /// <summary>Suricata's <c>app_proto</c> name.</summary>
    public static string Name(AppProtocol protocol) => protocol switch
    {
        AppProtocol.Http => "http",
        AppProtocol.Tls => "tls",
        AppProtocol.Ssh => "ssh",
        AppProtocol.Dns => "dns",
        AppProtocol.Smtp => "smtp",
        AppProtocol.Ftp => "ftp",
        AppProtocol.Smb => "smb",
        AppProtocol.Dcerpc => "dcerpc",
        AppProtocol.Ntp => "ntp",
        _ => "failed",
    };

    /// <summary>Suricata's <c>app_proto</c> name in UTF-8, for the EVE flow line.</summary>
    public static ReadOnlySpan<byte> Utf8Name(AppProtocol protocol) => protocol switch
    {
        AppProtocol.Http => "http"u8,
        AppProtocol.Tls => "tls"u8,
        AppProtocol.Ssh => "ssh"u8,
        AppProtocol.Dns => "dns"u8,
        AppProtocol.Smtp => "smtp"u8,
        AppProtocol.Ftp => "ftp"u8,
        AppProtocol.Smb => "smb"u8,
        AppProtocol.Dcerpc => "dcerpc"u8,
        AppProtocol.Ntp => "ntp"u8,
        _ => "failed"u8,
    };

    /// <summary>A DNS header: at most a handful of questions and records, a known opcode.</summary>
    private static bool LooksLikeDns(ReadOnlySpan<byte> message)
    {
        if (message.Length < 12)
        {
            return false;
        }

        int opcode = message[2] >> 3 & 0xF;
        ushort questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        return opcode is 0 or 1 or 2 or 4 or 5 && questions <= 16;
    }

    private static bool StartsWithCode(ReadOnlySpan<byte> payload) =>
        payload.Length >= 4 && char.IsAsciiDigit((char)payload[0]) && char.IsAsciiDigit((char)payload[1]) && char.IsAsciiDigit((char)payload[2]) && payload[3] is (byte)' ' or (byte)'-';

    private static bool StartsWithCommand(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) =>
        payload.Length >= 4 && (System.Text.Ascii.EqualsIgnoreCase(payload[..4], first) || System.Text.Ascii.EqualsIgnoreCase(payload[..4], second));
}
