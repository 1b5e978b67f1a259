using System.Net;
using System.Runtime.InteropServices;

namespace Capture.Abstractions;

/// <summary>
/// An IPv4 or IPv6 address as the bytes on the wire (network order), 16 bytes wide, no allocation.
/// An IPv4 address occupies the first 4 bytes; the rest are zero.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct FlowAddress : IEquatable<FlowAddress>
{
    private readonly ulong _first;
    private readonly ulong _second;

    private FlowAddress(ulong first, ulong second)
    {
        _first = first;
        _second = second;
    }

    /// <summary>Makes an address from 4 (IPv4) or 16 (IPv6) bytes in network order.</summary>
    /// <param name="bytes">The address bytes.</param>
    /// <returns>The address.</returns>
    public static FlowAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        Span<byte> buffer = stackalloc byte[16];
        buffer.Clear();
        if (bytes.Length != 4 && bytes.Length != 16)
        {
            throw new ArgumentException("an address is 4 or 16 bytes", nameof(bytes));
        }

        bytes.CopyTo(buffer);
        return new FlowAddress(MemoryMarshal.Read<ulong>(buffer), MemoryMarshal.Read<ulong>(buffer[8..]));
    }

    /// <summary>Copies the address bytes (16) into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least 16 bytes.</param>
    public void CopyTo(Span<byte> destination)
    {
        MemoryMarshal.Write(destination, in _first);
        MemoryMarshal.Write(destination[8..], in _second);
    }

    /// <summary>Copies the first 4 bytes (an IPv4 address) into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least 4 bytes.</param>
    public void CopyIPv4To(Span<byte> destination) => MemoryMarshal.Write(destination, (uint)_first);

    /// <summary>Converts to <see cref="IPAddress"/> (allocates; for logs and output, not the hot path).</summary>
    /// <param name="isIPv6">Whether the address is IPv6.</param>
    /// <returns>The address.</returns>
    public IPAddress ToIPAddress(bool isIPv6)
    {
        Span<byte> buffer = stackalloc byte[16];
        CopyTo(buffer);
        return new IPAddress(isIPv6 ? buffer : buffer[..4]);
    }

    /// <inheritdoc />
    public bool Equals(FlowAddress other) => _first == other._first && _second == other._second;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FlowAddress other && Equals(other);

    /// <inheritdoc />
    /// <remarks>
    /// Keyed per process (<see cref="KeyedFlowHash.Shared"/>): <c>HashCode.Combine</c> of the two
    /// words let IPv6 addresses collide in every process, as a ulong's hash code XORs its halves.
    /// </remarks>
    public override int GetHashCode() => (int)KeyedFlowHash.Shared.Hash(_first, _second, 0, 0, 0, 0);

    /// <summary>Equality.</summary>
    public static bool operator ==(FlowAddress left, FlowAddress right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(FlowAddress left, FlowAddress right) => !left.Equals(right);
}
