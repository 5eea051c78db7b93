using static TorchSharp.torch;

namespace Repro.Runtime.Checkpoints;

/// <summary>One tensor's header record: name, dtype, shape and its byte range in the data region.</summary>
public sealed record SafetensorsEntry(string Name, string DType, ScalarType ScalarType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}
