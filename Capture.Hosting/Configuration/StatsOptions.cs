namespace Capture.Hosting.Configuration;

/// <summary>Periodic statistics (<c>stats:</c>). Defaults are Suricata's.</summary>
public sealed class StatsOptions
{
    /// <summary>Collect statistics (<c>enabled</c>). Default yes.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between statistics records (<c>interval</c>, 1..86400). Default 8.</summary>
    public int Interval { get; set; } = 8;

    /// <summary>Count decoder events (<c>decoder-events</c>). Default yes.</summary>
    public bool DecoderEvents { get; set; } = true;

    /// <summary>Prefix of decoder event counters (<c>decoder-events-prefix</c>). Default <c>decoder.event</c>.</summary>
    public string DecoderEventsPrefix { get; set; } = "decoder.event";

    /// <summary>Count stream events (<c>stream-events</c>). Default no.</summary>
    public bool StreamEvents { get; set; }
}
