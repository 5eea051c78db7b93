using static TorchSharp.torch;

namespace Repro.Runtime.Interop;

/// <summary>A Python tuple (a list is <see cref="List{T}"/> of object?).</summary>
internal sealed record PickleTuple(object?[] Items);

/// <summary>A Python dict or collections.OrderedDict, in insertion order. Keys are str, int, float or bool.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> _index = new();
    private readonly List<KeyValuePair<object, object?>> _items = new();

    public bool IsOrderedDict { get; init; }
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;
    public int Count => _items.Count;

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int i))
            _items[i] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }

    public bool TryGet(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = _items[i].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>One of the few callables the restricted unpickler will call.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A tensor storage named by a persistent id: its bytes are the zip entry <c>data/&lt;Key&gt;</c>.</summary>
internal sealed record TorchStorageRef(string Key, ScalarType DType, string StorageType, long ElementCount);

/// <summary>
/// A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided view of a storage. Nothing is
/// allocated until the whole pickle has been read and every recipe checked against its storage.
/// </summary>
internal sealed record TensorRecipe(TorchStorageRef Storage, long StorageOffset, long[] Size, long[] Stride);
