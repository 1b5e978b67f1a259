namespace Capture.AfPacket.Bench;

/// <summary>What one benchmark run measured.</summary>
internal readonly record struct RunResult(
    double Seconds, long Received, long KernelDrops, double UserCpu, double TotalCpu, double CaptureThreadCpu, double MarginalCpu, double IdleCpuPerSecond, long TcpdumpCaptured, long TcpdumpDropped, double TcpdumpUserCpu, double TcpdumpCpu, long XdpDropped);
