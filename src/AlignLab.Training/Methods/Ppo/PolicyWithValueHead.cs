using AlignLab.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Training.Methods.Ppo;

/// <summary>Actor and critic on one backbone: the policy's logits and a scalar value per position from a linear head
/// on the same final hidden states (v_head.weight / v_head.bias beside the model's own parameter names).</summary>
public sealed class PolicyWithValueHead : nn.Module
{
    private readonly CausalLM _policy;
    private readonly Linear v_head;

    public PolicyWithValueHead(CausalLM policy) : base(nameof(PolicyWithValueHead))
    {
        _policy = policy;
        foreach (var (name, child) in policy.named_children()) register_module(name, child);
        v_head = nn.Linear(policy.Config.HiddenSize, 1);
        using (no_grad())
        {
            v_head.weight!.zero_();
            v_head.bias!.zero_();
        }
        register_module("v_head", v_head);
    }

    public CausalLM Policy => _policy;

    /// <summary>Logits (B, T, V) and values (B, T): the value at position t estimates the return after token t.</summary>
    public (Tensor Logits, Tensor Values) Forward(Tensor inputIds, Tensor attentionMask)
    {
        var hidden = _policy.Hidden(inputIds, attentionMask);
        return (_policy.Logits(hidden), v_head.forward(hidden).squeeze(-1));
    }
}
