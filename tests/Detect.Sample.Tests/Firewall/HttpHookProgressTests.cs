using System.Text;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Tests.Firewall;

public sealed class HttpHookProgressTests
{
    [Fact]
    public void A_head_split_over_three_segments_stays_one_transaction_until_its_blank_line()
    {
        var progress = new HttpHookProgress();
        Expect(ref progress, "GET /a HT", moved: true, 1, HttpHookProgress.Started);
        Expect(ref progress, "TP/1.1\r\nHost: x\r\nAcc", moved: true, 1, HttpHookProgress.Line);
        // A continuation that looks like a request line ("Host: x" has a space) is still the head.
        Expect(ref progress, "ept: */*\r\nUser-Agent: y z\r\n", moved: false, 1, HttpHookProgress.Line);
        Expect(ref progress, "Host: evil HTTP/1.1\r\n", moved: false, 1, HttpHookProgress.Line);
        Expect(ref progress, "\r\n", moved: true, 1, HttpHookProgress.Complete);

        Expect(ref progress, "GET /b HTTP/1.1\r\n\r\n", moved: true, 2, HttpHookProgress.Complete);
    }

    [Fact]
    public void A_content_length_body_is_counted_down_across_segments()
    {
        var progress = new HttpHookProgress();
        Expect(ref progress, "POST /u HTTP/1.1\r\nconTent-LENGTH: 12\r\n\r\n1234", moved: true, 1, HttpHookProgress.Body);
        // Body bytes that look like a request are body.
        Expect(ref progress, "GET / ", moved: false, 1, HttpHookProgress.Body);
        Expect(ref progress, "\r\n", moved: true, 1, HttpHookProgress.Complete);
        Expect(ref progress, "GET /next HTTP/1.1\r\n", moved: true, 2, HttpHookProgress.Line);
    }

    [Fact]
    public void A_chunked_body_is_followed_through_sizes_data_last_chunk_and_trailers()
    {
        var progress = new HttpHookProgress();
        Expect(ref progress, "POST /u HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n5\r\nab", moved: true, 1, HttpHookProgress.Body);
        string[] body = ["cde\r", "\n1", "B;ext=1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\r\n"];
        foreach (string segment in body)
        {
            Expect(ref progress, segment, moved: false, 1, HttpHookProgress.Body);
        }

        Expect(ref progress, "0\r\nTrailer: t\r", moved: true, 1, HttpHookProgress.Trailer);
        Assert.False(Feed(ref progress, "\n"));
        Expect(ref progress, "\r\n", moved: true, 1, HttpHookProgress.Complete);
        Expect(ref progress, "GET /next HTTP/1.1\r\n\r\n", moved: true, 2, HttpHookProgress.Complete);
    }

    [Fact]
    public void Bytes_a_chunk_size_line_cannot_hold_complete_the_transaction_and_start_the_next()
    {
        var progress = new HttpHookProgress();
        Feed(ref progress, "POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        ReadOnlySpan<byte> garbage = "GET /admin HTTP/1.1\r\n\r\n"u8;
        Assert.True(progress.Update(garbage, toServer: true, out int used));
        Assert.Equal(0, used); // the 'G' is not a hex digit: it is left for the next transaction
        Assert.Equal((1, HttpHookProgress.Complete), (progress.Transaction, progress.Progress));
        Assert.True(progress.Update(garbage, toServer: true, out used));
        Assert.Equal(garbage.Length, used);
        Assert.Equal((2, HttpHookProgress.Complete), (progress.Transaction, progress.Progress));
    }

    [Fact]
    public void A_content_length_that_is_no_number_ends_the_transaction_at_its_head()
    {
        var progress = new HttpHookProgress();
        Assert.True(Feed(ref progress, "POST /u HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"));
        Assert.Equal(HttpHookProgress.Complete, progress.Progress);
        Expect(ref progress, "body", moved: true, 2, HttpHookProgress.Started);
    }

    [Fact]
    public void A_response_without_a_body_by_its_status_completes_at_its_head()
    {
        var progress = new HttpHookProgress();
        Assert.True(progress.Update("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"u8, toServer: false, out _));
        Assert.Equal(HttpHookProgress.Complete, progress.Progress);
        Assert.True(progress.Update("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"u8, toServer: false, out _));
        Assert.Equal((2, HttpHookProgress.Body), (progress.Transaction, progress.Progress));
    }

    [Fact]
    public void A_response_without_a_length_has_its_body_to_the_close()
    {
        var progress = new HttpHookProgress();
        Assert.True(progress.Update("HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nbody"u8, toServer: false, out _));
        Assert.Equal((1, HttpHookProgress.Body), (progress.Transaction, progress.Progress));
        Assert.False(progress.Update("HTTP/1.1 200 OK\r\n\r\n"u8, toServer: false, out int used));
        Assert.Equal((1, HttpHookProgress.Body, 19), (progress.Transaction, progress.Progress, used));
    }

    [Fact]
    public void A_packet_with_two_requests_stops_after_the_first_so_each_goes_through_the_hooks()
    {
        var progress = new HttpHookProgress();
        ReadOnlySpan<byte> two = "GET /1 HTTP/1.1\r\n\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"u8;
        Assert.True(progress.Update(two, toServer: true, out int first));
        Assert.Equal((1, HttpHookProgress.Complete, 19), (progress.Transaction, progress.Progress, first));
        Assert.True(progress.Update(two[first..], toServer: true, out int second));
        Assert.Equal((2, HttpHookProgress.Complete, two.Length), (progress.Transaction, progress.Progress, first + second));
    }

    /// <summary>Feeds a segment and checks whether anything moved, and the transaction and state after it.</summary>
    private static void Expect(ref HttpHookProgress progress, string segment, bool moved, int transaction, int state)
    {
        Assert.Equal(moved, Feed(ref progress, segment));
        Assert.Equal((transaction, state), (progress.Transaction, progress.Progress));
    }

    /// <summary>Feeds a whole segment, as the firewall does; returns whether anything moved.</summary>
    private static bool Feed(ref HttpHookProgress progress, string segment)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(segment);
        bool moved = false;
        int at = 0;
        while (at < bytes.Length)
        {
            moved |= progress.Update(bytes.AsSpan(at), toServer: true, out int used);
            at += used;
        }

        return moved;
    }
}
