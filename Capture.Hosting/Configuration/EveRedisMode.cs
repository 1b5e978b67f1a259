namespace Capture.Hosting.Configuration;

/// <summary>How a Redis eve-log writes its events (<c>redis.mode</c>), as Suricata names them.</summary>
public enum EveRedisMode
{
    /// <summary><c>list</c> or <c>lpush</c>: <c>LPUSH key event</c> (the newest at the head).</summary>
    LeftPush,

    /// <summary><c>rpush</c>: <c>RPUSH key event</c> (the newest at the tail).</summary>
    RightPush,

    /// <summary><c>channel</c> or <c>publish</c>: <c>PUBLISH key event</c>; nothing is kept for a subscriber that is not there.</summary>
    Publish,

    /// <summary><c>stream</c> or <c>xadd</c>: <c>XADD key MAXLEN ~ n * eve event</c>.</summary>
    Stream,
}
