using System.Buffers.Binary;
using System.Text;

namespace Repro.Runtime.Interop;

/// <summary>
/// A pickle reader that accepts only what a PyTorch state dict is made of: tensors (via
/// torch._utils._rebuild_tensor_v2 / _rebuild_parameter over torch.*Storage persistent ids) and
/// plain containers and values (dict, collections.OrderedDict, list, tuple, str, bytes, int, float,
/// bool, None). Any other global is refused the moment it is named, before anything is built,
/// because unpickling an arbitrary callable runs code (a pickled <c>os.system</c> is one REDUCE away).
/// This is the same policy as <c>torch.load(weights_only=True)</c>; it also calls nothing at all:
/// the allowed callables are interpreted here.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private const int MaxDepthOfMarks = 10_000;

    private static readonly HashSet<(string, string)> AllowedCallables =
    [
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_parameter"),
    ];

    private readonly byte[] _pickle;
    private readonly string _origin;
    private readonly Func<string, TorchStorageRef, TorchStorageRef> _resolveStorage;
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private int _pos;

    /// <param name="origin">Names the file in errors.</param>
    /// <param name="resolveStorage">Dedupes storages by key (two tensors may view one storage).</param>
    public RestrictedUnpickler(byte[] pickle, string origin, Func<string, TorchStorageRef, TorchStorageRef> resolveStorage)
    {
        _pickle = pickle;
        _origin = origin;
        _resolveStorage = resolveStorage;
    }

    public object? Load()
    {
        while (true)
        {
            if (_pos >= _pickle.Length)
                throw Bad("the pickle ends before its STOP opcode (truncated or corrupt)");
            int at = _pos;
            byte op = _pickle[_pos++];
            switch (op)
            {
                case 0x80: // PROTO
                    byte proto = ReadByte();
                    if (proto > 5) throw Bad($"pickle protocol {proto} is newer than 5");
                    break;
                case 0x95: Skip(8); break; // FRAME: framing is only a read-ahead hint
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw Bad("the pickle stops with an unbalanced stack (corrupt)");
                    return _stack[0];
                case (byte)'(': // MARK
                    if (_marks.Count >= MaxDepthOfMarks) throw Bad("pickle nests too deeply");
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break; // BININT2
                case 0x8a: Push(ReadLong1()); break; // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break; // BINFLOAT
                case (byte)'X': Push(Utf8(Read(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))))); break; // BINUNICODE
                case 0x8c: Push(Utf8(Read(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(Read(Length8()))); break; // BINUNICODE8
                case (byte)'B': Push(Read(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Read(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(Read(Length8()).ToArray()); break; // BINBYTES8
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case (byte)'d': Push(DictFrom(PopMark())); break; // DICT
                case (byte)'l': Push(new List<object?>(PopMark())); break; // LIST
                case (byte)'t': Push(new PickleTuple(PopMark())); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop()])); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
                case (byte)'a': { var v = Pop(); ListAt(Peek()).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); ListAt(Peek()).AddRange(items); break; } // APPENDS
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Peek(), k, v); break; } // SETITEM
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    if (items.Length % 2 != 0) throw Bad("SETITEMS with an odd number of items (corrupt)");
                    var target = Peek();
                    for (int i = 0; i < items.Length; i += 2) SetItem(target, items[i], items[i + 1]);
                    break;
                }
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Read(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // LONG_BINGET
                case (byte)'c': // GLOBAL
                {
                    string module = ReadLine();
                    string name = ReadLine();
                    Push(Global(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Bad("STACK_GLOBAL without a str name (corrupt)");
                    var module = Pop() as string ?? throw Bad("STACK_GLOBAL without a str module (corrupt)");
                    Push(Global(module, name));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop() as PickleTuple ?? throw Bad("REDUCE without an argument tuple (corrupt)");
                    var callable = Pop();
                    Push(Call(callable, args.Items));
                    break;
                }
                case (byte)'b': // BUILD: sets state on the object below
                {
                    var state = Pop();
                    var target = Peek();
                    // state_dict() OrderedDicts carry a `_metadata` attribute (per-module versions);
                    // load_state_dict does not need it, and nothing else may be set on anything.
                    if (target is PickleDict { IsOrderedDict: true } && state is PickleDict attributes
                        && attributes.Items.All(kv => kv.Key is "_metadata"))
                        break;
                    throw Bad($"the pickle sets object state (BUILD) on a {Describe(target)}; only tensors and plain containers are accepted");
                }
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                default:
                    throw Bad($"unsupported pickle opcode 0x{op:x2} at byte {at}; only tensors and plain containers are accepted");
            }
        }
    }

    private object Global(string module, string name)
    {
        if (AllowedCallables.Contains((module, name)))
            return new PickleGlobal(module, name);
        if (module == "torch" && TorchStorageTypes.IsStorageName(name))
            return new PickleGlobal(module, name); // only usable inside a storage persistent id
        string hint = module is "__main__" || char.IsUpper(name.FirstOrDefault())
            ? "; to import a model, save its state dict: torch.save(model.state_dict(), path)"
            : "";
        throw Bad($"refuses to unpickle '{module}.{name}': only tensors and plain containers are accepted, because loading any other object can run code{hint}");
    }

    private object? Call(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g || !AllowedCallables.Contains((g.Module, g.Name)))
            throw Bad($"the pickle calls a {Describe(callable)}; only tensors and plain containers are accepted");
        switch (g.Name)
        {
            case "OrderedDict":
                if (args.Length != 0) throw Bad("collections.OrderedDict called with arguments; expected the empty form torch.save writes");
                return new PickleDict { IsOrderedDict = true };
            case "_rebuild_tensor_v2":
            {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.Length is < 6 or > 7) throw Bad($"_rebuild_tensor_v2 with {args.Length} arguments (corrupt)");
                var storage = args[0] as TorchStorageRef ?? throw Bad("_rebuild_tensor_v2 without a storage (corrupt)");
                long offset = args[1] as long? ?? throw Bad("_rebuild_tensor_v2 storage_offset is not an int");
                long[] size = IntTuple(args[2], "size");
                long[] stride = IntTuple(args[3], "stride");
                if (args[5] is not PickleDict { Count: 0 })
                    throw Bad("a tensor carries backward hooks; save a state dict without hooks");
                if (args.Length == 7 && args[6] is PickleDict { Count: > 0 })
                    throw Bad("a tensor carries Python metadata; save a plain state dict");
                return new TensorRecipe(storage, offset, size, stride);
            }
            case "_rebuild_parameter":
            {
                // (data, requires_grad, backward_hooks): an nn.Parameter is its tensor here.
                if (args.Length != 3 || args[0] is not TensorRecipe data) throw Bad("_rebuild_parameter without a tensor (corrupt)");
                if (args[2] is not PickleDict { Count: 0 }) throw Bad("a parameter carries backward hooks; save a state dict without hooks");
                return data;
            }
            default:
                throw Bad($"the pickle calls '{g.FullName}'");
        }
    }

    private TorchStorageRef PersistentLoad(object? pid)
    {
        // torch.save: ("storage", torch.<Type>Storage, key, location, numel)
        if (pid is not PickleTuple { Items: ["storage", PickleGlobal type, string key, string, long numel] })
            throw Bad($"unknown persistent id {Describe(pid)}; not a torch.save file");
        if (type.Module != "torch" || !TorchStorageTypes.TryParse(type.Name, out var dtype))
            throw Bad($"tensor storage type 'torch.{type.Name}' is not supported (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        if (numel < 0) throw Bad($"storage '{key}' has {numel} elements (corrupt)");
        return _resolveStorage(key, new TorchStorageRef(key, dtype, type.Name, numel));
    }

    private long[] IntTuple(object? value, string what)
    {
        if (value is not PickleTuple t || t.Items.Any(i => i is not long))
            throw Bad($"tensor {what} is not a tuple of ints (corrupt)");
        return t.Items.Select(i => (long)i!).ToArray();
    }

    private void SetItem(object? target, object? key, object? value)
    {
        if (target is not PickleDict dict) throw Bad($"SETITEM on a {Describe(target)} (corrupt)");
        if (key is not (string or long or bool or double))
            throw Bad($"a dict key is a {Describe(key)}; only str, int, float and bool keys are accepted");
        dict.Set(key, value);
    }

    private PickleDict DictFrom(object?[] items)
    {
        if (items.Length % 2 != 0) throw Bad("DICT with an odd number of items (corrupt)");
        var d = new PickleDict();
        for (int i = 0; i < items.Length; i += 2) SetItem(d, items[i], items[i + 1]);
        return d;
    }

    private List<object?> ListAt(object? target) => target as List<object?> ?? throw Bad($"APPEND on a {Describe(target)} (corrupt)");

    private object? MemoGet(long index) => _memo.TryGetValue(index, out var v) ? v : throw Bad($"memo entry {index} read before it was written (corrupt)");

    private long ReadLong1()
    {
        int n = ReadByte();
        if (n > 8) throw Bad($"an integer of {n} bytes; only 64-bit integers are accepted");
        var bytes = Read(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
        if (n > 0 && n < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // two's complement sign
        return v;
    }

    private int Length8()
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(Read(8));
        return n <= int.MaxValue ? (int)n : throw Bad($"a {n}-byte string (corrupt)");
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_pickle, (byte)'\n', _pos);
        if (end < 0) throw Bad("the pickle ends inside a GLOBAL name (truncated)");
        string s = Encoding.ASCII.GetString(_pickle, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad("a pickled str is not valid UTF-8 (corrupt)");
        }
    }

    private byte ReadByte() => Read(1)[0];

    private ReadOnlySpan<byte> Read(int n)
    {
        if (n < 0 || _pos > _pickle.Length - n) throw Bad("the pickle ends in the middle of a value (truncated or corrupt)");
        var span = _pickle.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    private void Skip(int n) => Read(n);

    private void Push(object? v) => _stack.Add(v);

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Bad("the pickle pops an empty stack (corrupt)");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Bad("the pickle reads an empty stack (corrupt)");

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw Bad("the pickle closes a MARK it never opened (corrupt)");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        byte[] => "bytes",
        PickleTuple => "tuple",
        List<object?> => "list",
        PickleDict d => d.IsOrderedDict ? "OrderedDict" : "dict",
        PickleGlobal g => $"'{g.FullName}'",
        TorchStorageRef => "storage",
        TensorRecipe => "tensor",
        _ => v.GetType().Name,
    };

    private BadInputException Bad(string cause) => new($"{_origin}: {cause}");
}
