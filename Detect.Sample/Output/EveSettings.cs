namespace Detect.Sample.Output;

/// <summary>What the EVE writer writes (<c>outputs.eve-log</c>).</summary>
internal sealed record EveSettings
{
    public bool Flow { get; init; } = true;

    public bool Alert { get; init; } = true;

    public bool Stats { get; init; } = true;

    public bool CommunityId { get; init; }

    public ushort CommunityIdSeed { get; init; }

    public bool Ethernet { get; init; }
}
