using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Detect.Sample.Output;

/// <summary>
/// SHA-1 (FIPS 180-4) for Community ID's short inputs. The BCL's SHA-1 is OpenSSL's on Linux, and
/// loading it (libcrypto, libssl and the crypto assembly) costs the process ~5 MB of resident
/// memory for a hash of at most 40 bytes per flow. One hash per flow record: the message schedule
/// is kept as 16 words in place and each 20-round stage has its own loop, so the rounds run
/// without a per-round branch on the stage or a bounds check (the flow output thread spent a
/// quarter of its time here).
/// </summary>
internal static class Sha1
{
    public const int HashLength = 20;

    /// <summary>Hashes <paramref name="input"/> (at most 119 bytes: two blocks with the padding).</summary>
    public static void HashData(ReadOnlySpan<byte> input, Span<byte> hash)
    {
        Debug.Assert(input.Length <= 119 && hash.Length >= HashLength, "a short input and room for the hash");
        int blocks = input.Length + 9 <= 64 ? 1 : 2;
        Span<byte> message = stackalloc byte[128];
        message[..(blocks * 64)].Clear();
        input.CopyTo(message);
        message[input.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(message[((blocks * 64) - 8)..], (ulong)input.Length * 8);

        Span<uint> schedule = stackalloc uint[16];
        ref uint w = ref MemoryMarshal.GetReference(schedule);
        uint h0 = 0x67452301, h1 = 0xEFCDAB89, h2 = 0x98BADCFE, h3 = 0x10325476, h4 = 0xC3D2E1F0;
        for (int block = 0; block < blocks; block++)
        {
            ReadOnlySpan<byte> chunk = message.Slice(block * 64, 64);
            for (int i = 0; i < 16; i++)
            {
                Unsafe.Add(ref w, i) = BinaryPrimitives.ReadUInt32BigEndian(chunk[(i * 4)..]);
            }

            uint a = h0, b = h1, c = h2, d = h3, e = h4;
            for (int i = 0; i < 20; i++)
            {
                Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (~b & d)) + 0x5A827999u + Word(ref w, i));
            }

            for (int i = 20; i < 40; i++)
            {
                Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0x6ED9EBA1u + Word(ref w, i));
            }

            for (int i = 40; i < 60; i++)
            {
                Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (b & d) | (c & d)) + 0x8F1BBCDCu + Word(ref w, i));
            }

            for (int i = 60; i < 80; i++)
            {
                Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0xCA62C1D6u + Word(ref w, i));
            }

            h0 += a;
            h1 += b;
            h2 += c;
            h3 += d;
            h4 += e;
        }

        BinaryPrimitives.WriteUInt32BigEndian(hash, h0);
        BinaryPrimitives.WriteUInt32BigEndian(hash[4..], h1);
        BinaryPrimitives.WriteUInt32BigEndian(hash[8..], h2);
        BinaryPrimitives.WriteUInt32BigEndian(hash[12..], h3);
        BinaryPrimitives.WriteUInt32BigEndian(hash[16..], h4);
    }

    /// <summary>Largest input of <see cref="HashFour"/>: one block with the padding.</summary>
    public const int MaxBlockInput = 55;

    /// <summary>
    /// Hashes four inputs of at most <see cref="MaxBlockInput"/> bytes at once, each in its own
    /// 32-bit lane of 128-bit vectors (x64's baseline, so the ReadyToRun image holds it): a round's
    /// chain of dependent operations is as long as for one input (one hash is bound by it, not by the
    /// number of operations), so four hashes take about the time of one and a half. Community ID
    /// input is at most 40 bytes.
    /// </summary>
    /// <param name="input0">The first input; its hash goes to <c>hashes[0..20]</c>.</param>
    /// <param name="input1">The second; <c>hashes[20..40]</c>.</param>
    /// <param name="input2">The third; <c>hashes[40..60]</c>.</param>
    /// <param name="input3">The fourth; <c>hashes[60..80]</c>.</param>
    /// <param name="hashes">At least four hashes' room.</param>
    [SkipLocalsInit]
    public static void HashFour(ReadOnlySpan<byte> input0, ReadOnlySpan<byte> input1, ReadOnlySpan<byte> input2, ReadOnlySpan<byte> input3, Span<byte> hashes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashes.Length, 4 * HashLength, nameof(hashes));
        Span<byte> blocks = stackalloc byte[4 * 64];
        Pad(input0, blocks[..64]);
        Pad(input1, blocks.Slice(64, 64));
        Pad(input2, blocks.Slice(128, 64));
        Pad(input3, blocks.Slice(192, 64));

        // Word i of every lane side by side; every word is written before it is read.
        Span<Vector128<uint>> schedule = stackalloc Vector128<uint>[16];
        ref Vector128<uint> w = ref MemoryMarshal.GetReference(schedule);
        for (int i = 0; i < 16; i++)
        {
            Unsafe.Add(ref w, i) = Vector128.Create(
                BinaryPrimitives.ReadUInt32BigEndian(blocks[(i * 4)..]),
                BinaryPrimitives.ReadUInt32BigEndian(blocks[(64 + (i * 4))..]),
                BinaryPrimitives.ReadUInt32BigEndian(blocks[(128 + (i * 4))..]),
                BinaryPrimitives.ReadUInt32BigEndian(blocks[(192 + (i * 4))..]));
        }

        Vector128<uint> a = Vector128.Create(0x67452301u), b = Vector128.Create(0xEFCDAB89u), c = Vector128.Create(0x98BADCFEu), d = Vector128.Create(0x10325476u), e = Vector128.Create(0xC3D2E1F0u);
        for (int i = 0; i < 20; i++)
        {
            Round(ref a, ref b, ref c, ref d, ref e, (d ^ (b & (c ^ d))) + Vector128.Create(0x5A827999u) + Word(ref w, i));
        }

        for (int i = 20; i < 40; i++)
        {
            Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + Vector128.Create(0x6ED9EBA1u) + Word(ref w, i));
        }

        for (int i = 40; i < 60; i++)
        {
            Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (d & (b | c))) + Vector128.Create(0x8F1BBCDCu) + Word(ref w, i));
        }

        for (int i = 60; i < 80; i++)
        {
            Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + Vector128.Create(0xCA62C1D6u) + Word(ref w, i));
        }

        a += Vector128.Create(0x67452301u);
        b += Vector128.Create(0xEFCDAB89u);
        c += Vector128.Create(0x98BADCFEu);
        d += Vector128.Create(0x10325476u);
        e += Vector128.Create(0xC3D2E1F0u);
        for (int lane = 0; lane < 4; lane++)
        {
            Span<byte> hash = hashes.Slice(lane * HashLength, HashLength);
            BinaryPrimitives.WriteUInt32BigEndian(hash, a.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[4..], b.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[8..], c.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[12..], d.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[16..], e.GetElement(lane));
        }
    }

    /// <summary>One input as its single padded block.</summary>
    private static void Pad(ReadOnlySpan<byte> input, Span<byte> block)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(input.Length, MaxBlockInput, nameof(input));
        block.Clear();
        input.CopyTo(block);
        block[input.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(block[56..], (ulong)input.Length * 8);
    }

    /// <summary>The vector form of <see cref="Word(ref uint, int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Word(ref Vector128<uint> w, int i)
    {
        if (i < 16)
        {
            return Unsafe.Add(ref w, i);
        }

        ref Vector128<uint> slot = ref Unsafe.Add(ref w, i & 15);
        slot = RotateLeft(Unsafe.Add(ref w, (i + 13) & 15) ^ Unsafe.Add(ref w, (i + 8) & 15) ^ Unsafe.Add(ref w, (i + 2) & 15) ^ slot, 1);
        return slot;
    }

    /// <summary>The vector form of <see cref="Round(ref uint, ref uint, ref uint, ref uint, ref uint, uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d, ref Vector128<uint> e, Vector128<uint> mixed)
    {
        Vector128<uint> next = RotateLeft(a, 5) + e + mixed;
        e = d;
        d = c;
        c = RotateLeft(b, 30);
        b = a;
        a = next;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateLeft(Vector128<uint> value, [ConstantExpected(Min = 1, Max = 31)] int count) =>
        Vector128.ShiftLeft(value, count) | Vector128.ShiftRightLogical(value, 32 - count);

    /// <summary>Word <paramref name="i"/> of the schedule: the first 16 as loaded, each later one expanded into the slot of the word 16 before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Word(ref uint w, int i)
    {
        if (i < 16)
        {
            return Unsafe.Add(ref w, i);
        }

        ref uint slot = ref Unsafe.Add(ref w, i & 15);
        slot = BitOperations.RotateLeft(Unsafe.Add(ref w, (i + 13) & 15) ^ Unsafe.Add(ref w, (i + 8) & 15) ^ Unsafe.Add(ref w, (i + 2) & 15) ^ slot, 1);
        return slot;
    }

    /// <summary>One round: <paramref name="mixed"/> is the stage's function of b, c, d plus its constant and the word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref uint a, ref uint b, ref uint c, ref uint d, ref uint e, uint mixed)
    {
        uint next = BitOperations.RotateLeft(a, 5) + e + mixed;
        e = d;
        d = c;
        c = BitOperations.RotateLeft(b, 30);
        b = a;
        a = next;
    }
}
