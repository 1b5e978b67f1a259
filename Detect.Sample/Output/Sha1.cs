using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
