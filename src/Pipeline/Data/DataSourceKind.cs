namespace Repro.Pipeline.Data;

/// <summary>The kinds of data source a spec can name. The kind fixes how files are decoded and normalised.</summary>
public enum DataSourceKind
{
    /// <summary><c>fashion-mnist:train|test[@dir]</c>: Zalando's Fashion-MNIST IDX files.</summary>
    FashionMnist,
    /// <summary><c>mnist:train|test@dir</c>: LeCun's MNIST IDX files.</summary>
    Mnist,
    /// <summary><c>idx:images[,labels]</c>: any IDX ubyte image file, labels optional.</summary>
    Idx,
    /// <summary><c>cifar10:train|test@dir</c> or <c>cifar10:a.bin[,b.bin…]</c>: CIFAR-10 binary batches.</summary>
    Cifar10,
    /// <summary><c>tensors:file.safetensors</c>: preprocessed <c>images</c> float32 [N,C,H,W], optional <c>labels</c> int64 [N].</summary>
    Tensors,
    /// <summary><c>synthetic:n=…,c=…,h=…,w=…,classes=…,seed=…</c>: seeded images and labels, for tests.</summary>
    Synthetic,
}
