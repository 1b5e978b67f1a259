// Shared host-test fixtures (tests/Shared/Host), linked into Detect.Sample.Tests and
// Capture.AfPacket.Tests. This file: reading one sample off the host's Prometheus endpoint.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Capture.Tests.Host;

/// <summary>Scrapes the host's Prometheus endpoint (<c>metrics.prometheus</c>) as a scraper does.</summary>
public static class PrometheusScrape
{
    /// <summary>The value of the sample whose name starts with <paramref name="name"/>, or -1 while the endpoint does not answer or lacks it.</summary>
    public static long Value(HttpClient http, Uri url, string name)
    {
        ArgumentNullException.ThrowIfNull(http);
        string text;
        try
        {
            text = http.GetStringAsync(url).GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            return -1;
        }

        Match sample = Regex.Match(text, $"^{Regex.Escape(name)}\\S* (?<value>[0-9.e+]+)$", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return sample.Success ? (long)double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture) : -1;
    }
}
