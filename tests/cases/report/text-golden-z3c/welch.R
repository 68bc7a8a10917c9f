# Reference for the theme-score changes of the board report (Welch's t
# interval and test, the only statistic candour-report computes itself).
#   Rscript welch.R THEMES_CSV ORG PERIOD PREVIOUS
# For each theme, builds two samples with exactly the n, mean and sd of
# themes.csv (standardised normal scores, rescaled) and runs R's
# t.test(var.equal = FALSE), which depends only on those three figures.
# Prints one line per theme as the report's theme table shows the change:
#   just_culture -0.15 (-0.25, -0.05)* p=0.0039
args <- commandArgs(trailingOnly = TRUE)
themes <- read.csv(args[1], colClasses = "character")
pick <- function(period, theme) {
  r <- themes[themes$org == args[2] & themes$period == period & themes$theme == theme &
                themes$group_dim == "all" & themes$group == "all", ]
  stopifnot(nrow(r) == 1, r$suppressed == "no")
  n <- as.numeric(r$n); m <- as.numeric(r$mean); s <- as.numeric(r$sd)
  z <- qnorm(ppoints(n)); z <- (z - mean(z)) / sd(z)
  m + s * z
}
signed <- function(x) { s <- sprintf("%+.2f", x); sub("^[+-](0\\.00)$", "\\1", s) }
for (theme in c("just_culture", "speaking_up")) {
  tt <- t.test(pick(args[3], theme), pick(args[4], theme), var.equal = FALSE, conf.level = 0.95)
  d <- unname(tt$estimate[1] - tt$estimate[2])
  star <- if (tt$p.value < 0.05 || tt$conf.int[1] > 0 || tt$conf.int[2] < 0) "*" else ""
  cat(sprintf("%s %s (%s, %s)%s p=%.4g\n", theme, signed(d), signed(tt$conf.int[1]),
              signed(tt$conf.int[2]), star, tt$p.value))
}
