using Capture.Abstractions;

namespace FlowEngine.Pipeline;

/// <summary>
/// Frames held in the caller's arrays, handed to a <see cref="BatchWorker"/> as one batch (the
/// caller keeps the arrays; releasing it frees nothing).
/// </summary>
internal sealed class FrameBatch(ICaptureSource source) : CaptureBatch
{
    private byte[] _buffer = [];
    private PacketRecord[] _packets = [];

    public override ReadOnlySpan<PacketRecord> Packets => _packets;

    public override ReadOnlySpan<byte> Buffer => _buffer;

    public override ICaptureSource Source => source;

    public void Set(byte[] buffer, PacketRecord[] packets)
    {
        _buffer = buffer;
        _packets = packets;
    }

    public override void Release()
    {
    }
}
