"""What the person sees and works in: partners, scenarios, results, explanation, comparison and sweep."""
