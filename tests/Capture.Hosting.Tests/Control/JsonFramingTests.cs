using System.Text;
using Capture.Hosting.Control;

namespace Capture.Hosting.Tests.Control;

public sealed class JsonFramingTests
{
    [Theory]
    [InlineData("{\"version\": \"0.2\"}", "Complete", 18)]
    [InlineData("  {\"a\": [1, {\"b\": 2}]}\n{\"c\"", "Complete", 22)]
    [InlineData("[1, 2]\n", "Complete", 6)]
    [InlineData("{\"command\": \"iface-", "Incomplete", 0)]
    [InlineData("\n", "Incomplete", 0)]
    [InlineData("{\"command\": iface-list}\n", "Malformed", 0)]
    [InlineData("}{", "Malformed", 0)]
    public void Finds_the_end_of_the_first_value(string text, string expectedResult, int expectedEnd)
    {
        JsonFraming.Result expected = Enum.Parse<JsonFraming.Result>(expectedResult);
        JsonFraming.Result result = JsonFraming.TryFindValue(Encoding.UTF8.GetBytes(text), out int end, out string? error);
        Assert.Equal(expected, result);
        Assert.Equal(expectedEnd, end);
        Assert.Equal(expected == JsonFraming.Result.Malformed, error is not null);
    }
}
