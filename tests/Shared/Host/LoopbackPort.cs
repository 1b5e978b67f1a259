// Shared host-test fixtures (tests/Shared/Host), linked into Detect.Sample.Tests and
// Capture.AfPacket.Tests. This file: a free loopback port.
using System.Net;
using System.Net.Sockets;

namespace Capture.Tests.Host;

/// <summary>Loopback ports for what a test starts (the Prometheus endpoint, a redis-server of its own).</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port nobody listens on now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
