namespace AlignLab.Jobs.Hosting;

/// <summary>Section AlignLab:Artifacts: where checkpoints and exported models are written. With several
/// machines this must be shared storage mounted at the same path on every node.</summary>
public sealed class ArtifactsOptions
{
    public const string Section = "AlignLab:Artifacts";

    /// <summary>Default: the artifacts folder beside the embedded cluster (AlignLab:Embedded:Root).</summary>
    public string? Root { get; set; }
}
