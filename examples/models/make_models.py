#!/usr/bin/env python3
"""Writes the model files of this directory from the networks' published layer tables.

Each model file lists a network's DISTINCT layer shapes for inference, with `count` = how often
the shape occurs in one forward pass (docs/WORKLOADS.md, "Model files"). Batch normalization is
folded into the preceding convolution's weights and bias, as inference engines do, so a
conv + BN + ReLU is one `conv` layer with act=relu. Run it again after changing a table:

    examples/models/make_models.py        # rewrites resnet18.json, mobilenet_v2.json, bert_base_layer.json
"""
import json
import os
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))


def out_extent(n, k, stride, pad):
    return (n + 2 * pad - k) // stride + 1


class Model:
    def __init__(self, name, description, source, parameters):
        self.doc = OrderedDict(model=name, description=description, source=source,
                               parameters=parameters, layers=[])
        self.index = {}

    def add(self, name, op, **params):
        """One occurrence of a layer; a repeated shape adds to its count."""
        key = (op, tuple(sorted(params.items())))
        if key in self.index:
            layer = self.index[key]
            layer["count"] += 1
            if name not in layer["name"].split(", "):
                layer["name"] += ", " + name
            return
        layer = OrderedDict(name=name, op=op, params=OrderedDict(params), count=1)
        self.index[key] = layer
        self.doc["layers"].append(layer)

    def write(self, file):
        with open(os.path.join(HERE, file), "w") as f:
            json.dump(self.doc, f, indent=2)
            f.write("\n")


def conv(m, name, w, ci, co, k, stride, pad, act, groups=1):
    m.add(name, "conv", N="batch", W=w, H=w, CI=ci, CO=co, K=k, stride=stride, pad=pad,
          dilation=1, groups=groups, act=act)
    return out_extent(w, k, stride, pad)


def resnet18():
    # He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1, 18-layer:
    # conv1 7x7/2 64; 3x3 max pool /2; conv2_x..conv5_x = 2 basic blocks each of two 3x3 convs
    # with 64, 128, 256, 512 channels, the first block of conv3_x..conv5_x striding by 2 with a
    # 1x1/2 projection shortcut (option B); global average pool; fc 1000. 1.8 GFLOPs (multiply-adds).
    m = Model("resnet18", "ResNet-18 inference at 224x224 (ImageNet), batch normalization folded into the convolutions",
              "He et al., Deep Residual Learning for Image Recognition, CVPR 2016, Table 1 (18-layer)",
              OrderedDict(batch=1))
    w = conv(m, "conv1", 224, 3, 64, 7, 2, 3, "relu")
    m.add("maxpool", "pool", N="batch", C=64, W=w, H=w, K=3, stride=2, pad=1, kind="max")
    w = out_extent(w, 3, 2, 1)
    c = 64
    for stage, co in enumerate([64, 128, 256, 512], start=1):
        for block in range(2):
            stride = 2 if (block == 0 and stage > 1) else 1
            pre = "layer%d.%d" % (stage, block)
            w_in, ci = w, c
            w = conv(m, pre + ".conv1", w_in, ci, co, 3, stride, 1, "relu")
            conv(m, pre + ".conv2", w, co, co, 3, 1, 1, "none")
            if stride != 1 or ci != co:
                conv(m, pre + ".downsample", w_in, ci, co, 1, stride, 0, "none")
            m.add(pre + ".add", "add", N="batch", C=co, W=w, H=w, act="relu")
            c = co
    m.add("avgpool", "pool", N="batch", C=512, W=w, H=w, K=w, stride=1, pad=0, kind="avg")
    m.add("fc", "fully_connected", N="batch", IN=512, OUT=1000, act="none")
    m.write("resnet18.json")


def mobilenet_v2():
    # Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018,
    # Table 2: conv2d 3x3/2 32; bottlenecks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2)
    # (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1); conv2d 1x1 1280; avgpool 7x7; conv2d 1x1
    # k (the classifier, here fully_connected). A bottleneck = 1x1 expansion (ReLU6, absent when
    # t = 1), 3x3 depthwise with stride s (ReLU6), 1x1 linear projection; the residual add when
    # the stride is 1 and the channels match. 300 M multiply-adds.
    m = Model("mobilenet_v2", "MobileNet-V2 (width 1.0) inference at 224x224 (ImageNet), batch normalization folded",
              "Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018, Table 2",
              OrderedDict(batch=1))
    w = conv(m, "features.0", 224, 3, 32, 3, 2, 1, "relu6")
    c = 32
    i = 1
    for t, co, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                        (6, 160, 3, 2), (6, 320, 1, 1)]:
        for rep in range(n):
            stride = s if rep == 0 else 1
            pre = "features.%d" % i
            hidden = c * t
            if t != 1:
                conv(m, pre + ".expand", w, c, hidden, 1, 1, 0, "relu6")
            w_out = conv(m, pre + ".depthwise", w, hidden, hidden, 3, stride, 1, "relu6", groups=hidden)
            conv(m, pre + ".project", w_out, hidden, co, 1, 1, 0, "none")
            if stride == 1 and c == co:
                m.add(pre + ".add", "add", N="batch", C=co, W=w_out, H=w_out, act="none")
            w, c = w_out, co
            i += 1
    w = conv(m, "features.18", w, c, 1280, 1, 1, 0, "relu6")
    m.add("avgpool", "pool", N="batch", C=1280, W=w, H=w, K=w, stride=1, pad=0, kind="avg")
    m.add("classifier", "fully_connected", N="batch", IN=1280, OUT=1000, act="none")
    m.write("mobilenet_v2.json")


def bert_base_layer():
    # Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for Language
    # Understanding", NAACL 2019, Section 3 (BERT-base: L=12, H=768, A=12, feed-forward 4H =
    # 3072) on Vaswani et al.'s encoder layer ("Attention Is All You Need", NeurIPS 2017,
    # Section 3): query, key, value and output projections (768 -> 768), scaled dot-product
    # attention over 12 heads of 64, residual add + layer norm, feed-forward 768 -> 3072 (GELU)
    # -> 768, residual add + layer norm. One layer; the model has 12 of them. Tokens =
    # batch x seq, the layout of fully_connected's N and layernorm's rows.
    m = Model("bert_base_layer", "One BERT-base encoder layer (hidden 768, 12 heads, feed-forward 3072) at sequence length seq",
              "Devlin et al., BERT, NAACL 2019, Section 3 (BERT-base); Vaswani et al., Attention Is All You Need, NeurIPS 2017, Section 3",
              OrderedDict(batch=1, seq=128))
    for name in ["attention.query", "attention.key", "attention.value"]:
        m.add(name, "fully_connected", N="batch*seq", IN=768, OUT=768, act="none")
    m.add("attention.self", "attention", N="batch", S="seq", heads=12, D=64)
    m.add("attention.output", "fully_connected", N="batch*seq", IN=768, OUT=768, act="none")
    m.add("attention.residual", "add", N="batch", C=768, W="seq", H=1, act="none")
    m.add("attention.layernorm", "layernorm", rows="batch*seq", cols=768)
    m.add("intermediate", "fully_connected", N="batch*seq", IN=768, OUT=3072, act="gelu")
    m.add("output", "fully_connected", N="batch*seq", IN=3072, OUT=768, act="none")
    m.add("output.residual", "add", N="batch", C=768, W="seq", H=1, act="none")
    m.add("output.layernorm", "layernorm", rows="batch*seq", cols=768)
    m.write("bert_base_layer.json")


if __name__ == "__main__":
    resnet18()
    mobilenet_v2()
    bert_base_layer()
