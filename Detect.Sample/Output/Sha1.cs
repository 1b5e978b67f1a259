using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;

namespace Detect.Sample.Output;

/// <summary>
/// SHA-1 (FIPS 180-4) for Community ID's short inputs. The BCL's SHA-1 is OpenSSL's on Linux, and
/// loading it (libcrypto, libssl and the crypto assembly) costs the process ~5 MB of resident
/// memory for a hash of at most 40 bytes per flow.
/// </summary>
internal static class Sha1
{
    public const int HashLength = 20;

    /// <summary>Hashes <paramref name="input"/> (at most 119 bytes: two blocks with the padding).</summary>
    public static void HashData(ReadOnlySpan<byte> input, Span<byte> hash)
    {
        Debug.Assert(input.Length <= 119 && hash.Length >= HashLength, "a short input and room for the hash");
        Span<byte> message = stackalloc byte[128];
        message.Clear();
        input.CopyTo(message);
        message[input.Length] = 0x80;
        int blocks = input.Length + 9 <= 64 ? 1 : 2;
        BinaryPrimitives.WriteUInt64BigEndian(message[((blocks * 64) - 8)..], (ulong)input.Length * 8);

        uint h0 = 0x67452301, h1 = 0xEFCDAB89, h2 = 0x98BADCFE, h3 = 0x10325476, h4 = 0xC3D2E1F0;
        Span<uint> w = stackalloc uint[80];
        for (int block = 0; block < blocks; block++)
        {
            ReadOnlySpan<byte> chunk = message.Slice(block * 64, 64);
            for (int i = 0; i < 16; i++)
            {
                w[i] = BinaryPrimitives.ReadUInt32BigEndian(chunk[(i * 4)..]);
            }

            for (int i = 16; i < 80; i++)
            {
                w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
            }

            uint a = h0, b = h1, c = h2, d = h3, e = h4;
            for (int i = 0; i < 80; i++)
            {
                (uint f, uint k) = i switch
                {
                    < 20 => ((b & c) | (~b & d), 0x5A827999u),
                    < 40 => (b ^ c ^ d, 0x6ED9EBA1u),
                    < 60 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDCu),
                    _ => (b ^ c ^ d, 0xCA62C1D6u),
                };
                uint next = BitOperations.RotateLeft(a, 5) + f + e + k + w[i];
                e = d;
                d = c;
                c = BitOperations.RotateLeft(b, 30);
                b = a;
                a = next;
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
}
