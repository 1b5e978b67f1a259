using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Numerics;
using Capture.Abstractions;

namespace Capture.Linux.Xdp.Bypass;

/// <summary>
/// Bypass latencies of one strategy, in nanoseconds: a log-linear histogram (16 buckets per power of
/// two, so percentiles are within about 6 %), lock-free, fixed size. Each sample also goes to the
/// <c>capture.bypass.latency</c> histogram of the <see cref="MeterName"/> meter (microseconds,
/// tagged with strategy and interface), for dotnet-counters or an OpenTelemetry exporter.
/// </summary>
internal sealed class BypassLatencyHistogram
{
    /// <summary>The meter the latency instrument is on.</summary>
    public const string MeterName = "Capture.Bypass";

    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;

    // Values below 2^SubBucketBits have a bucket each; above, 16 per power of two up to 2^63.
    private const int BucketCount = (64 - SubBucketBits + 1) * SubBuckets;

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Histogram<double> s_instrument = s_meter.CreateHistogram<double>(
        "capture.bypass.latency", "us", "From the packet that triggered a bypass to the first packet the capture dropped for the flow");

    private readonly long[] _buckets = new long[BucketCount];
    private readonly string _strategy;
    private readonly string _interface;
    private long _count;
    private long _max;

    public BypassLatencyHistogram(string strategy, string interfaceName)
    {
        _strategy = strategy;
        _interface = interfaceName;
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Adds one flow's latency (negative values, a clock step between the two stamps, count as 0).</summary>
    public void Record(long nanoseconds)
    {
        long value = Math.Max(0, nanoseconds);
        Interlocked.Increment(ref _buckets[BucketOf(value)]);
        Interlocked.Increment(ref _count);
        long max = Interlocked.Read(ref _max);
        while (value > max)
        {
            long seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }

        s_instrument.Record(value / 1000.0, new KeyValuePair<string, object?>("strategy", _strategy), new KeyValuePair<string, object?>("interface", _interface));
    }

    /// <summary>Count, median, 99th percentile and maximum so far.</summary>
    public BypassLatency Snapshot()
    {
        long count = Count;
        return count == 0
            ? new BypassLatency(_strategy, 0, 0, 0, 0)
            : new BypassLatency(_strategy, count, Percentile(0.50, count), Percentile(0.99, count), Interlocked.Read(ref _max));
    }

    internal static int BucketOf(long value)
    {
        Debug.Assert(value >= 0, "latencies are clamped at 0");
        if (value < SubBuckets)
        {
            return (int)value;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int sub = (int)(value >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return ((exponent - SubBucketBits + 1) * SubBuckets) + sub;
    }

    /// <summary>The largest value bucket <paramref name="bucket"/> holds.</summary>
    internal static long UpperBound(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return bucket;
        }

        int exponent = (bucket / SubBuckets) + SubBucketBits - 1;
        long sub = bucket % SubBuckets;
        long low = (SubBuckets + sub) << (exponent - SubBucketBits);
        return low + (1L << (exponent - SubBucketBits)) - 1;
    }

    private long Percentile(double quantile, long count)
    {
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * count));
        long seen = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                // Never above the largest value recorded.
                return Math.Min(UpperBound(i), Interlocked.Read(ref _max));
            }
        }

        return Interlocked.Read(ref _max);
    }
}
