using Capture.Abstractions;

namespace FlowEngine.Pipeline;

/// <summary>What <see cref="CaptureEngine"/> built for its one run: the workers, the flow-hash dispatcher if any, and the source its single worker reads itself if any.</summary>
internal readonly record struct EngineRun(PacketWorker[] Workers, FlowDispatcher? Dispatcher, IWorkerThreadCaptureSource? ReadOnWorker);
