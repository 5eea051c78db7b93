using static TorchSharp.torch;

namespace Repro.Runtime.Data;

/// <summary>
/// Decodes unsigned-byte pixels straight into a preallocated float32 tensor, chunk by chunk, through
/// per-channel lookup tables (<see cref="Normalization.ByteTable"/>): the dataset is materialised
/// once, with only a small staging buffer besides it.
/// </summary>
internal sealed class PixelWriter
{
    private readonly Tensor _images;
    private readonly float[][] _tables;
    private readonly int _planeSize;
    private float[] _staging = [];

    public PixelWriter(Tensor images, Normalization normalization)
    {
        _images = images;
        int channels = (int)images.shape[1];
        _planeSize = checked((int)(images.shape[2] * images.shape[3]));
        _tables = Enumerable.Range(0, channels).Select(normalization.ByteTable).ToArray();
    }

    public int SampleSize => _planeSize * _tables.Length;

    /// <summary>
    /// Writes samples <paramref name="firstSample"/>… from <paramref name="pixels"/>, which holds whole
    /// samples, channel-major (C planes of H×W bytes each), back to back.
    /// </summary>
    public void Write(long firstSample, ReadOnlySpan<byte> pixels) => Write(firstSample, pixels, recordSize: SampleSize, skip: 0);

    /// <summary>As <see cref="Write(long, ReadOnlySpan{byte})"/> for records of <paramref name="recordSize"/> bytes whose pixels start at byte <paramref name="skip"/>.</summary>
    public void Write(long firstSample, ReadOnlySpan<byte> records, int recordSize, int skip)
    {
        int samples = records.Length / recordSize;
        int floats = samples * SampleSize;
        if (_staging.Length < floats) _staging = new float[floats];
        Span<float> dst = _staging.AsSpan(0, floats);
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<byte> sample = records.Slice(s * recordSize + skip, SampleSize);
            for (int c = 0; c < _tables.Length; c++)
            {
                float[] table = _tables[c];
                ReadOnlySpan<byte> plane = sample.Slice(c * _planeSize, _planeSize);
                Span<float> outPlane = dst.Slice(s * SampleSize + c * _planeSize, _planeSize);
                for (int i = 0; i < plane.Length; i++) outPlane[i] = table[plane[i]];
            }
        }
        using var accessor = _images.data<float>();
        accessor.CopyFrom(dst, 0, firstSample * SampleSize);
    }
}
