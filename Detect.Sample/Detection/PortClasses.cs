using System.Diagnostics;

namespace Detect.Sample.Detection;

/// <summary>
/// The class of every port (<see cref="RuleGroups"/>), kept as the ranges of ports that share
/// one: the sorted starts of the ranges and each range's class. Rules name few ports, so the
/// ranges are few and fit in a few cache lines, where a table of all 65,536 ports takes 128 KB.
/// </summary>
internal sealed class PortClasses
{
    // _starts[0] is 0; range i holds the ports from _starts[i] up to the next start.
    private readonly ushort[] _starts;
    private readonly ushort[] _classes;

    /// <summary>Takes the ranges: their starts in order, the first 0, and each one's class.</summary>
    public PortClasses(ushort[] starts, ushort[] classes)
    {
        Debug.Assert(starts.Length > 0 && starts[0] == 0 && starts.Length == classes.Length, "a class from port 0 on");
        _starts = starts;
        _classes = classes;
    }

    /// <summary>The first port of each class, one class's representative.</summary>
    /// <param name="classes">How many classes there are (numbered from 0).</param>
    public int[] FirstPorts(int classes)
    {
        int[] port = new int[classes];
        Array.Fill(port, -1);

        // The ranges run in port order: a class's first range holds its first port.
        for (int i = 0; i < _starts.Length; i++)
        {
            if (port[_classes[i]] < 0)
            {
                port[_classes[i]] = _starts[i];
            }
        }

        return port;
    }

    /// <summary>The class of <paramref name="port"/>: that of the last range starting at or below it.</summary>
    public int Of(ushort port)
    {
        // A binary search without branches on the data (each step a conditional move): a port of a
        // new flow would mispredict them half the time.
        ushort[] starts = _starts;
        int first = 0;
        int count = starts.Length;
        while (count > 1)
        {
            int half = count >> 1;
            first = starts[first + half] <= port ? first + half : first;
            count -= half;
        }

        return _classes[first];
    }
}
