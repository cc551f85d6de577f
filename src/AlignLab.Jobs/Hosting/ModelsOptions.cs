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

    /// <summary>With the demo model, also train the demo policy (the demo model fine-tuned on the demo pairs' initial
    /// answers, the first run's starting point) as a run of the platform's own, about 20 s on two CPU cores.</summary>
    public bool CreateDemoPolicy { get; set; } = true;
}
