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
    /// <summary>The function of b, c and d a stage of 20 rounds mixes in.</summary>
    private enum Stage
    {
        /// <summary>Rounds 0-19: c where b is set, else d.</summary>
        Choose,

        /// <summary>Rounds 20-39 and 60-79: b, c and d exclusive-or'ed.</summary>
        Parity,

        /// <summary>Rounds 40-59: the bitwise majority of b, c and d.</summary>
        Majority,
    }

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
    /// input is at most 40 bytes. The rounds go five at a time with the variables' roles renamed
    /// instead of moved, and the schedule is all 80 words at constant offsets from the pass's first:
    /// a 16-word ring indexed modulo 16 cost an index computation per word and a branch per round,
    /// and moving the roles five register copies per round.
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

        // Word i of every lane side by side: the first 16 loaded here, the rest expanded by the rounds
        // that take them (three rounds apart, so a word's expansion never waits on the one before).
        Span<Vector128<uint>> schedule = stackalloc Vector128<uint>[80];
        ref Vector128<uint> w = ref MemoryMarshal.GetReference(schedule);
        ref byte block = ref MemoryMarshal.GetReference(blocks);
        for (int i = 0; i < 16; i++)
        {
            Unsafe.Add(ref w, i) = Vector128.Create(
                BigEndianWord(ref block, i * 4),
                BigEndianWord(ref block, 64 + (i * 4)),
                BigEndianWord(ref block, 128 + (i * 4)),
                BigEndianWord(ref block, 192 + (i * 4)));
        }

        Vector128<uint> a = Vector128.Create(0x67452301u), b = Vector128.Create(0xEFCDAB89u), c = Vector128.Create(0x98BADCFEu), d = Vector128.Create(0x10325476u), e = Vector128.Create(0xC3D2E1F0u);

        // Five rounds per pass (FiveRounds); p is the pass's first word, every word at a constant offset from it.
        ref Vector128<uint> p = ref w;
        Vector128<uint> k = Vector128.Create(0x5A827999u);
        for (int i = 0; i < 15; i += 5, p = ref Unsafe.Add(ref p, 5))
        {
            FiveRounds(ref a, ref b, ref c, ref d, ref e, ref p, k, Stage.Choose, expandFrom: 5);
        }

        // Rounds 15-19: the first word expanded is round 16's.
        FiveRounds(ref a, ref b, ref c, ref d, ref e, ref p, k, Stage.Choose, expandFrom: 1);
        p = ref Unsafe.Add(ref p, 5);
        k = Vector128.Create(0x6ED9EBA1u);
        for (int i = 20; i < 40; i += 5, p = ref Unsafe.Add(ref p, 5))
        {
            FiveRounds(ref a, ref b, ref c, ref d, ref e, ref p, k, Stage.Parity, expandFrom: 0);
        }

        k = Vector128.Create(0x8F1BBCDCu);
        for (int i = 40; i < 60; i += 5, p = ref Unsafe.Add(ref p, 5))
        {
            FiveRounds(ref a, ref b, ref c, ref d, ref e, ref p, k, Stage.Majority, expandFrom: 0);
        }

        k = Vector128.Create(0xCA62C1D6u);
        for (int i = 60; i < 80; i += 5, p = ref Unsafe.Add(ref p, 5))
        {
            FiveRounds(ref a, ref b, ref c, ref d, ref e, ref p, k, Stage.Parity, expandFrom: 0);
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

    /// <summary>The big-endian word at <paramref name="offset"/> of the four padded blocks (256 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BigEndianWord(ref byte blocks, int offset)
    {
        Debug.Assert(offset is >= 0 and <= 252, "inside the four blocks");
        uint word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref blocks, offset));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(word) : word;
    }

    /// <summary>
    /// Five rounds on the words at <paramref name="pass"/> (those from <paramref name="expandFrom"/>
    /// on expanded first): each round's new a lands in e's variable and b is rotated in place, so
    /// after five the roles are back where they started. The newest variable (a's role) is added
    /// last: what does not depend on it is summed while it is still being computed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FiveRounds(
        ref Vector128<uint> a,
        ref Vector128<uint> b,
        ref Vector128<uint> c,
        ref Vector128<uint> d,
        ref Vector128<uint> e,
        ref Vector128<uint> pass,
        Vector128<uint> k,
        Stage stage,
        [ConstantExpected(Min = 0, Max = 5)] int expandFrom)
    {
        e = e + Word(ref pass, 0, expandFrom) + k + Mix(stage, b, c, d) + RotateLeft(a, 5);
        b = RotateLeft(b, 30);
        d = d + Word(ref pass, 1, expandFrom) + k + Mix(stage, a, b, c) + RotateLeft(e, 5);
        a = RotateLeft(a, 30);
        c = c + Word(ref pass, 2, expandFrom) + k + Mix(stage, e, a, b) + RotateLeft(d, 5);
        e = RotateLeft(e, 30);
        b = b + Word(ref pass, 3, expandFrom) + k + Mix(stage, d, e, a) + RotateLeft(c, 5);
        d = RotateLeft(d, 30);
        a = a + Word(ref pass, 4, expandFrom) + k + Mix(stage, c, d, e) + RotateLeft(b, 5);
        c = RotateLeft(c, 30);
    }

    /// <summary>Word <paramref name="offset"/> of the pass: as loaded before <paramref name="expandFrom"/>, expanded from it on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Word(ref Vector128<uint> pass, [ConstantExpected(Min = 0, Max = 4)] int offset, [ConstantExpected(Min = 0, Max = 5)] int expandFrom) =>
        offset >= expandFrom ? Expand(ref pass, offset) : Unsafe.Add(ref pass, offset);

    /// <summary>The stage's function of b, c and d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Mix(Stage stage, Vector128<uint> b, Vector128<uint> c, Vector128<uint> d) => stage switch
    {
        Stage.Choose => d ^ (b & (c ^ d)),
        Stage.Majority => (b & c) | (d & (b | c)),
        _ => b ^ c ^ d,
    };

    /// <summary>
    /// Word <paramref name="offset"/> after <paramref name="pass"/> (word 16 or later), expanded from
    /// the words 3, 8, 14 and 16 before it and stored for the words after it; the one written three
    /// rounds ago comes last, so only one operation waits for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Expand(ref Vector128<uint> pass, [ConstantExpected(Min = 0, Max = 4)] int offset)
    {
        ref Vector128<uint> word = ref Unsafe.Add(ref pass, offset);
        word = RotateLeft(Unsafe.Add(ref word, -16) ^ Unsafe.Add(ref word, -14) ^ Unsafe.Add(ref word, -8) ^ Unsafe.Add(ref word, -3), 1);
        return word;
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
