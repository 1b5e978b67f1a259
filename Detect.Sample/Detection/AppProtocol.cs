namespace Detect.Sample.Detection;

/// <summary>The application-layer protocol of a flow, as protocol detection found it (Suricata's <c>app_proto</c>).</summary>
internal enum AppProtocol : byte
{
    /// <summary>Not detected (yet).</summary>
    Unknown,

    /// <summary><c>http</c> (HTTP/1.x).</summary>
    Http,

    /// <summary><c>tls</c>.</summary>
    Tls,

    /// <summary><c>ssh</c>.</summary>
    Ssh,

    /// <summary><c>dns</c>.</summary>
    Dns,

    /// <summary><c>smtp</c>.</summary>
    Smtp,

    /// <summary><c>ftp</c>.</summary>
    Ftp,

    /// <summary><c>smb</c>.</summary>
    Smb,

    /// <summary><c>dcerpc</c> (DCE/RPC over TCP).</summary>
    Dcerpc,

    /// <summary><c>ntp</c>.</summary>
    Ntp,
}
