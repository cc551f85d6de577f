namespace AlignLab.Jobs.Hosting;

/// <summary>Section AlignLab:Models: where model folders live. References outside these roots are refused.</summary>
public sealed class ModelsOptions
{
    public const string Section = "AlignLab:Models";

    /// <summary>Default: the models folder beside the embedded cluster (AlignLab:Embedded:Root). The first root
    /// is where the demo model is created.</summary>
    public string[] Roots { get; set; } = [];

    /// <summary>Create the demo model at start-up when it is missing (the embedded default does).</summary>
    public bool CreateDemoModel { get; set; } = true;
}
