namespace Detect.Sample.Detection;

/// <summary>
/// The TLS record tracking of both directions of a TCP flow, for <c>encryption-handling: bypass</c>:
/// the handshake is over when both sides changed cipher spec and encrypted application data flows.
/// A flow gets one only when its first payload opens a handshake record (<see cref="TlsRecordTracker.OpensHandshake"/>).
/// </summary>
internal sealed class TlsFlowTracking
{
    private TlsRecordTracker _toServer;
    private TlsRecordTracker _toClient;

    /// <summary>Whether a direction turned out not to be TLS: then the flow is never bypassed as TLS.</summary>
    public bool NotTls => _toServer.NotTls || _toClient.NotTls;

    /// <summary>Follows one direction's payload.</summary>
    /// <returns>Whether the handshake is over: from here on the payload is opaque.</returns>
    public bool Process(bool toServer, ReadOnlySpan<byte> payload)
    {
        if (toServer)
        {
            _toServer.Process(payload);
        }
        else
        {
            _toClient.Process(payload);
        }

        return _toServer.SawChangeCipherSpec && _toClient.SawChangeCipherSpec && !NotTls
            && (_toServer.SawApplicationData || _toClient.SawApplicationData);
    }
}
