namespace AlignLab.Core.Construction;

/// <summary>Algorithm 1's filter: keep an instance only if R(X,Ŷ) &lt; η1, R(X,Y) &gt; η2 and R(X,Y) − R(X,Ŷ) &gt; η3 (the
/// initial response is poor, the reference good, and the gap wide). Paper: η1 = 1, η2 = 3, η3 = 3.5, set from the
/// reward distribution of its reward model; other reward models need their own values (see the histograms).</summary>
public sealed record RewardThresholds(double Eta1 = 1, double Eta2 = 3, double Eta3 = 3.5)
{
    public bool Keeps(double rolloutReward, double outputReward) =>
        rolloutReward < Eta1 && outputReward > Eta2 && outputReward - rolloutReward > Eta3;
}
