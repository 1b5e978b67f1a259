using System.Text;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

/// <summary>A log file's lines built in place in its buffer (<see cref="LogFile.Reserve"/>, <see cref="LogFile.Commit"/>).</summary>
public sealed class LogFileTests : IDisposable
{
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TemporaryLogDirectory _temp = new("log-file-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Lines_built_in_the_reserved_room_reach_the_file_in_order_and_a_room_that_does_not_fit_flushes_first()
    {
        using LogFile file = new(_temp.Logs, "lines.json", append: false, Mode, bufferSize: 64);

        Assert.Equal(WriteOutcome.Buffered, Put(file, "first line\n", maximum: 40));
        Assert.Equal(WriteOutcome.Buffered, file.Append("second\n"u8));
        Assert.Equal(0, new FileInfo(file.Path).Length);

        // 18 bytes are buffered: room for 47 more does not fit in 64, so the buffered lines go first.
        Assert.Equal(WriteOutcome.Written, Put(file, "third line\n", maximum: 47));
        Assert.Equal("first line\nsecond\n", File.ReadAllText(file.Path));
        Assert.Equal(1, file.BufferedLines);

        Assert.Equal(WriteOutcome.Written, file.Flush());
        Assert.Equal("first line\nsecond\nthird line\n", File.ReadAllText(file.Path));
        Assert.Equal(3, file.LinesWritten);
    }

    [Fact]
    public void No_room_is_given_for_a_line_larger_than_the_buffer_and_nothing_is_flushed()
    {
        using LogFile file = new(_temp.Logs, "lines.json", append: false, Mode, bufferSize: 64);
        file.Append("kept\n"u8);

        ArraySegment<byte> room = file.Reserve(65, out WriteOutcome outcome);

        Assert.Equal(0, room.Count);
        Assert.Equal(WriteOutcome.Buffered, outcome);
        Assert.Equal(1, file.BufferedLines);
    }

    private static WriteOutcome Put(LogFile file, string line, int maximum)
    {
        ArraySegment<byte> room = file.Reserve(maximum, out WriteOutcome outcome);
        Assert.True(room.Count >= maximum);
        int length = Encoding.ASCII.GetBytes(line, room.AsSpan());
        file.Commit(length);
        return outcome;
    }
}
