using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Runtime.Models;

/// <summary>
/// A BasicBlock ResNet whose state-dict keys, shapes and dtypes are exactly torchvision's
/// (<c>conv1.weight</c>, <c>bn1.running_mean</c>, <c>layer2.0.downsample.1.weight</c>, <c>fc.bias</c>, …),
/// so a PyTorch checkpoint loads key for key. Initialisation is torchvision's, drawn from torch's
/// global generator in torchvision's order: seed it with <c>torch.manual_seed</c> (or pass a seed).
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict names; declaration order is torchvision's registration order.
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly nn.Module<Tensor, Tensor> maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    public ResNetConfig Config { get; }

    /// <param name="seed">When given, <c>torch.manual_seed(seed)</c> first, so the weights depend on the seed alone.</param>
    public ResNet(ResNetConfig config, long? seed = null) : base(nameof(ResNet))
    {
        Config = config;
        if (seed is long s)
            torch.manual_seed(s);

        int w = config.Width;
        conv1 = config.Stem == ResNetStem.ImageNet
            ? nn.Conv2d(config.InChannels, w, kernel_size: 7, stride: 2, padding: 3, bias: false)
            : nn.Conv2d(config.InChannels, w, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(w);
        maxpool = config.Stem == ResNetStem.ImageNet
            ? nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1)
            : nn.Identity();

        long inPlanes = w;
        var blocks = new List<BasicBlock>();
        Sequential MakeLayer(int stage)
        {
            long planes = config.StageChannels(stage);
            long stride = stage == 0 ? 1 : 2;
            Sequential? downsample = null;
            if (stride != 1 || inPlanes != planes)
                downsample = nn.Sequential(
                    nn.Conv2d(inPlanes, planes, kernel_size: 1, stride: stride, bias: false),
                    nn.BatchNorm2d(planes));
            var layer = new List<nn.Module<Tensor, Tensor>> { new BasicBlock(inPlanes, planes, stride, downsample) };
            inPlanes = planes;
            for (int i = 1; i < config.Depths[stage]; i++)
                layer.Add(new BasicBlock(inPlanes, planes, 1, null));
            blocks.AddRange(layer.Cast<BasicBlock>());
            return nn.Sequential(layer);
        }
        layer1 = MakeLayer(0);
        layer2 = MakeLayer(1);
        layer3 = MakeLayer(2);
        layer4 = MakeLayer(3);
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(config.StageChannels(3), config.NumClasses);
        RegisterComponents();

        // torchvision: kaiming normal (fan_out, relu) for every conv in modules() order; BN weight 1,
        // bias 0 (already TorchSharp's default); fc keeps Linear's default init drawn above.
        using (torch.no_grad())
        {
            foreach (var conv in new[] { conv1 }.Concat(blocks.SelectMany(b => b.Convs())))
                nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            foreach (var bn in BatchNorms())
            {
                nn.init.ones_(bn.Module.weight!);
                nn.init.zeros_(bn.Module.bias!);
            }
        }
    }

    // Submodules run through call(), not forward(): TorchSharp runs forward hooks only from call(),
    // and Precise BN counts each BN layer's values with a forward pre-hook.
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Config.InChannels)
            throw new BadInputException(
                $"model input: expected [N,{Config.InChannels},H,W] images for a {Config.InChannels}-channel model, got [{string.Join(",", x.shape)}]");
        using var a = conv1.call(x);
        using var b = bn1.call(a).relu_();   // in place, as torchvision's ReLU(inplace=True); see BasicBlock
        using var d = maxpool.call(b);
        using var e1 = layer1.call(d);
        using var e2 = layer2.call(e1);
        using var e3 = layer3.call(e2);
        using var e4 = layer4.call(e3);
        using var pooled = avgpool.call(e4);
        using var flat = pooled.flatten(1);
        return fc.call(flat);
    }

    /// <summary>Every BatchNorm with its state-dict prefix (e.g. <c>layer2.0.downsample.1</c>), in module order.</summary>
    public IReadOnlyList<(string Name, BatchNorm2d Module)> BatchNorms() =>
        named_modules().Where(m => m.module is BatchNorm2d).Select(m => (m.name, (BatchNorm2d)m.module)).ToList();

    /// <summary>Trainable parameters (torchvision's count: resnet18 has 11,689,512).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
