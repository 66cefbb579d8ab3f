/**
 * Math-Verify-style cases for the nine classes of miss in issue 10, written before the fixes
 * (own wording; positives and hard negatives per class). `expected` is what Math-Verify's rules
 * say (gold first, prediction second), except where the README's "Known gaps" says otherwise.
 */
export interface ClassCase { cls: string; gold: string; pred: string; expected: boolean }

const r = String.raw;
const c = (cls: string, gold: string, pred: string, expected: boolean): ClassCase => ({ cls, gold, pred, expected });

const LABELS = 'labels';
const BOXES = 'several boxes';
const THOUSANDS = 'thousands';
const TUPLES = 'tuple sets';
const ALGEBRA = 'algebra';
const INTERVALS = 'intervals';
const BRACES = 'braces as tuple';
const PROSE = 'prose';
const DOUBLED = 'doubled backslashes';

export const CLASS_CASES: ClassCase[] = [
  // 1. A name, ratio of names or subscripted symbol on the left of `=` labels the value.
  c(LABELS, r`V_a:V_b=5:9`, r`5:9`, true),
  c(LABELS, r`S_{ABC}:S_{DEF}=4:25`, r`\boxed{4:25}`, true),
  c(LABELS, r`\frac{PQ}{QR}=\frac{2}{\sqrt{3}}`, r`\frac{2}{\sqrt 3}`, true),
  c(LABELS, r`\frac{AM}{MB}=\frac{1}{2}`, r`\frac12`, true),
  c(LABELS, r`m:n=2`, r`2`, true),
  c(LABELS, r`AB:BC=3`, r`$3$`, true),
  c(LABELS, r`|AB|=7`, r`7`, true),
  c(LABELS, r`AC=2\sqrt{5}`, r`2\sqrt5`, true),
  c(LABELS, r`S_{\triangle ABC}=24`, r`24`, true),
  c(LABELS, r`h_{a}=\frac{12}{5}`, r`2.4`, true),
  c(LABELS, r`7`, r`x_{\max}=7`, true),
  c(LABELS, r`5:9`, r`V_1:V_2=5:9`, true),
  c(LABELS, r`\frac{2}{\sqrt{3}}`, r`\frac{BC}{AC}=\frac{2\sqrt{3}}{3}`, true),
  c(LABELS, r`\frac{S_1}{S_2}=\frac{9}{16}`, r`\frac{9}{16}`, true),
  c(LABELS, r`y=2x+1`, r`2x+1=y`, true),
  c(LABELS, r`V_a:V_b=5:9`, r`9:5`, false),
  c(LABELS, r`m:n=2`, r`3`, false),
  c(LABELS, r`\frac{PQ}{QR}=\frac{2}{\sqrt{3}}`, r`\frac{\sqrt{3}}{2}`, false),
  c(LABELS, r`S_{PQRS}:S=3:8`, r`3:5`, false),
  c(LABELS, r`AB=4`, r`5`, false),
  c(LABELS, r`x^2+y^2=25`, r`25`, false),
  c(LABELS, r`2x=6`, r`6`, false),
  c(LABELS, r`x+z=1`, r`1`, false),
  c(LABELS, r`\frac{x+1}{2}=3`, r`3`, false),
  c(LABELS, r`y=2x+1`, r`y=2x-1`, false),
  c(LABELS, r`|AB|=1`, r`-1`, false),
  c(LABELS, r`\frac{AM}{MB}=\frac{1}{2}`, r`2`, false),
  c(LABELS, r`a:b=2:3`, r`3:2`, false),
  c(LABELS, r`7`, r`x_{\max}=8`, false),

  // 2. Several boxes in one answer form one tuple/list.
  c(BOXES, r`\{12, 7\}`, r`The length is \boxed{12 m} and the width is \boxed{7}.`, true),
  c(BOXES, r`\boxed{3,5}`, r`There are \boxed{3} red and \boxed{5} blue marbles.`, true),
  c(BOXES, r`\boxed{1}, \boxed{2}, \boxed{4}`, r`1,2,4`, true),
  c(BOXES, r`$$\boxed{2}, \boxed{3}, \boxed{11}$$`, r`{2, 3, 11}`, true),
  c(BOXES, r`x=3, y=4`, r`\boxed{x=3} \quad \text{and} \quad \boxed{y=4}`, true),
  c(BOXES, r`4, 9`, r`The smaller number is $\boxed{4}$ and the larger number is $\boxed{9}$.`, true),
  c(BOXES, r`-2, 1`, r`The integers are \boxed{-2} and \boxed{1}.`, true),
  c(BOXES, r`\boxed{6} cats and \boxed{9} dogs`, r`\boxed{6, 9}`, true),
  c(BOXES, r`(2,2),(5,1)`, r`\boxed{(2, 2)} \quad \text{and} \quad \boxed{(5, 1)}`, true),
  c(BOXES, r`\{5, 8\}`, r`\boxed{5}; \boxed{8}`, true),
  c(BOXES, r`\boxed{3,5}`, r`There are \boxed{3} red and \boxed{6} blue marbles.`, false),
  c(BOXES, r`\{12, 7\}`, r`The length is \boxed{12 m} and the width is \boxed{8}.`, false),
  c(BOXES, r`5`, r`First I got \boxed{4}. Wait, that is wrong: recounting gives \boxed{5}.`, true),
  c(BOXES, r`4, 5`, r`First I got \boxed{4}. Wait, that is wrong: recounting gives \boxed{5}.`, false),
  c(BOXES, r`\boxed{1} maybe maybe maybe maybe \boxed{2}`, r`\boxed{1,2}`, false),
  c(BOXES, r`-2, 1`, r`The integers are \boxed{-2} and \boxed{2}.`, false),
  c(BOXES, r`1,2,3`, r`\boxed{1} and \boxed{2}`, false),

  // 3. Thousands separators (and lists that must stay lists).
  c(THOUSANDS, r`22345600`, r`22,\!345,\!600`, true),
  c(THOUSANDS, r`48125`, r`48,\! 125`, true),
  c(THOUSANDS, r`20310`, r`Adding the two salaries, the final answer is $20,310`, true),
  c(THOUSANDS, r`20310`, r`So she earns $20,310 in total.`, true),
  c(THOUSANDS, r`1250000`, r`The total cost is \$1,250,000.`, true),
  c(THOUSANDS, r`1000000`, r`1\,000\,000`, true),
  c(THOUSANDS, r`12500`, r`\boxed{12{,}500}`, true),
  c(THOUSANDS, r`3000.5`, r`3,\!000.50`, true),
  c(THOUSANDS, r`10000`, r`\boxed{10,\!000 \text{ dollars}}`, true),
  c(THOUSANDS, r`7,\!200`, r`7200`, true),
  c(THOUSANDS, r`(1,2)`, r`12`, false),
  c(THOUSANDS, r`1,2`, r`12`, false),
  c(THOUSANDS, r`12`, r`1,2`, false),
  c(THOUSANDS, r`22,\!345,\!600`, r`22,\!345,\!601`, false),
  c(THOUSANDS, r`48125`, r`48,\! 126`, false),
  c(THOUSANDS, r`(1,200)`, r`1200`, false),
  c(THOUSANDS, r`1,2,3`, r`123`, false),
  c(THOUSANDS, r`20310`, r`Adding the two salaries, the final answer is $20,301`, false),

  // 4. Unordered collections of tuples; named systems of solutions as tuples.
  c(TUPLES, r`(1,2,3,4),(4,3,2,1),(2,1,4,3)`, r`\boxed{(2, 1, 4, 3), (1, 2, 3, 4), (4,3,2,1)}`, true),
  c(TUPLES, r`(0;0;0),(1;-1;2)`, r`(1,-1,2),(0,0,0)`, true),
  c(TUPLES, r`a=3,b=1;a=11,b=1`, r`(3,1),(11,1)`, true),
  c(TUPLES, r`x=2,y=5;x=5,y=2`, r`(5,2),(2,5)`, true),
  c(TUPLES, r`\{(1,2),(2,1)\}`, r`(2,1),(1,2)`, true),
  c(TUPLES, r`(2, 2), (1, 3), (3, 3)`, r`(3,3),(2,2),(1,3)`, true),
  c(TUPLES, r`(1,2),(3,4)`, r`\{(3,4),(1,2)\}`, true),
  c(TUPLES, r`(5,8),(8,5)`, r`(x, y) = (8, 5) \text{ or } (5, 8)`, true),
  c(TUPLES, r`(1,2,3,4),(4,3,2,1)`, r`(1,2,3,4),(4,3,1,2)`, false),
  c(TUPLES, r`(1,2),(2,1)`, r`(1,2)`, false),
  c(TUPLES, r`(1,2),(2,1)`, r`(1,2),(2,1),(3,3)`, false),
  c(TUPLES, r`a=3,b=1;a=11,b=1`, r`(1,3),(1,11)`, false),
  c(TUPLES, r`a=3,b=1;a=11,b=1`, r`(3,1),(11,2)`, false),
  c(TUPLES, r`(0;0;0),(1;-1;2)`, r`(0,0,0),(1,1,2)`, false),
  c(TUPLES, r`(1,2),(3,4)`, r`(1,3),(2,4)`, false),
  c(TUPLES, r`(1,2,3),(3,2,1)`, r`(1,2,3),(1,2,3)`, false),

  // 5. Equality that needs algebra: expansion, commuted factors inside sums and products.
  c(ALGEBRA, r`f(x)=3x^2-12x+7`, r`f(x)=3(x-2)^2-5`, true),
  c(ALGEBRA, r`\sum_{j=0}^{m} a_jb_{m-j}`, r`\sum_{j=0}^{m} b_{m-j}a_j`, true),
  c(ALGEBRA, r`c_n=\sum_{i=1}^{n} a_i b_{n-i}`, r`c_n=\sum_{i=1}^{n} b_{n-i} a_i`, true),
  c(ALGEBRA, r`\sum_{k=1}^{n} k^2 x_k`, r`\sum_{k=1}^{n} x_k k^2`, true),
  c(ALGEBRA, r`\prod_{i=1}^{n} a_i b_i`, r`\prod_{i=1}^{n} b_i a_i`, true),
  c(ALGEBRA, r`(x+1)^3`, r`x^3+3x^2+3x+1`, true),
  c(ALGEBRA, r`y=x^2-4x+3`, r`y=(x-1)(x-3)`, true),
  c(ALGEBRA, r`p(x)=x^3-6x^2+11x-6`, r`p(x)=(x-1)(x-2)(x-3)`, true),
  c(ALGEBRA, r`a^2-b^2`, r`(a-b)(a+b)`, true),
  c(ALGEBRA, r`f(x)=3x^2-12x+7`, r`f(x)=3(x-2)^2+5`, false),
  c(ALGEBRA, r`\sum_{j=0}^{m} a_jb_{m-j}`, r`\sum_{j=0}^{m} a_jb_{j}`, false),
  c(ALGEBRA, r`\sum_{j=0}^{m} a_j b_{m-j}`, r`\sum_{j=1}^{m} a_j b_{m-j}`, false),
  c(ALGEBRA, r`c_n=\sum_{i=1}^{n} a_i b_{n-i}`, r`c_n=\sum_{i=1}^{n} a_{n-i} b_{n-i}`, false),
  c(ALGEBRA, r`\prod_{i=1}^{n} a_i b_i`, r`\prod_{i=1}^{n} a_i`, false),
  c(ALGEBRA, r`(x+1)^3`, r`x^3+3x^2+3x-1`, false),
  c(ALGEBRA, r`y=x^2-4x+3`, r`y=(x-1)(x+3)`, false),
  c(ALGEBRA, r`a^2-b^2`, r`(a-b)^2`, false),

  // 6. A one-variable inequality (with |t|) and a union of intervals describe one set.
  c(INTERVALS, r`2\le|t|\le\frac52`, r`t\in[-\frac52,-2]\cup[2,\frac52]`, true),
  c(INTERVALS, r`1<|x|<3`, r`(-3,-1)\cup(1,3)`, true),
  c(INTERVALS, r`|x|\le 4`, r`[-4,4]`, true),
  c(INTERVALS, r`|x-1|<2`, r`(-1,3)`, true),
  c(INTERVALS, r`x\le -1 \text{ or } x\ge 2`, r`(-\infty,-1]\cup[2,\infty)`, true),
  c(INTERVALS, r`x<-2 \text{ or } x>3`, r`(-\infty,-2)\cup(3,+\infty)`, true),
  c(INTERVALS, r`-1\le x<5`, r`[-1,5)`, true),
  c(INTERVALS, r`|y|\ge 3`, r`(-\infty,-3]\cup[3,\infty)`, true),
  c(INTERVALS, r`[-3,-1)\cup(1,3]`, r`1<|x|\le3`, true),
  c(INTERVALS, r`2\le|t|\le\frac52`, r`[2,\frac52]`, false),
  c(INTERVALS, r`1<|x|<3`, r`(1,3)`, false),
  c(INTERVALS, r`|x|\le 4`, r`(-4,4)`, false),
  c(INTERVALS, r`|x-1|<2`, r`(-3,1)`, false),
  c(INTERVALS, r`x\le -1 \text{ or } x\ge 2`, r`[-1,2]`, false),
  c(INTERVALS, r`x<-2 \text{ or } x>3`, r`(-\infty,-2]\cup[3,\infty)`, false),
  c(INTERVALS, r`1<|x|<3`, r`(-3,-1)\cup[1,3)`, false),
  c(INTERVALS, r`|y|\ge 3`, r`[3,\infty)`, false),

  // 7. A brace pair against a tuple gold is read as that tuple (in the written order).
  c(BRACES, r`(2,5)`, r`\{2,5\}`, true),
  c(BRACES, r`(2,5)`, r`{2,5}`, true),
  c(BRACES, r`(1,-3)`, r`\boxed{\{1,-3\}}`, true),
  c(BRACES, r`(0,1,2)`, r`\{0,1,2\}`, true),
  c(BRACES, r`(\frac12, 3)`, r`\{0.5, 3\}`, true),
  c(BRACES, r`(2,5)`, r`2, 5`, true),
  c(BRACES, r`(2,5)`, r`\{5,2\}`, false),
  c(BRACES, r`(2,5)`, r`\{2,6\}`, false),
  c(BRACES, r`(1,2,3)`, r`\{1,2\}`, false),
  c(BRACES, r`[2,5]`, r`\{2,5\}`, false),
  c(BRACES, r`(2,5)`, r`\{2,5,7\}`, false),
  c(BRACES, r`(2,5)`, r`5, 2`, false),

  // 8. Final answers stated in prose without a box, with chat-template debris after them.
  c(PROSE, r`\frac{7}{4}`, 'Each roll pays the face value divided by 2. Therefore, the expected value of the game is 7/4.<|im_start|>user\nNow try 3 dice.', true),
  c(PROSE, r`\frac23`, 'So P(A) = 1/2 + (1/4) P(A), which gives P(A) = 2/3. Therefore, the probability that Alice wins is 2/3. <|im_start|>user', true),
  c(PROSE, r`12`, 'Sam starts with 5 and buys 7 more. So the total number of apples Sam has is 12.<|im_start|>user\nWhat about 15 pears?', true),
  c(PROSE, r`\frac{7}{4}`, r`Therefore, the expected value is $\frac{7}{4}$. We can double-check this with a simulation of 1000 rolls.`, true),
  c(PROSE, r`24`, 'Thus, the area of the triangle is 24 square units. Note that the triangle has sides 6, 8 and 10.', true),
  c(PROSE, r`17`, 'In conclusion, the smallest such n is 17. We checked all n up to 100.<|im_end|>', true),
  c(PROSE, r`3.5`, 'Hence the average speed is 3.5 km/h. I hope this helps! <|im_start|>user\nThanks, and 40 km?', true),
  c(PROSE, r`\frac{7}{4}`, 'Therefore, the expected value of the game is 7/5.<|im_start|>user\nIs it 7/4?', false),
  c(PROSE, r`17`, 'In conclusion, the smallest such n is 19.<|im_start|>user\nIs it 17?', false),
  c(PROSE, r`1000`, r`Therefore, the expected value is $\frac{7}{4}$. We can double-check this with a simulation of 1000 rolls.`, false),
  c(PROSE, r`10`, 'Thus, the area of the triangle is 24 square units. Note that the triangle has sides 6, 8 and 10.', false),
  c(PROSE, r`12`, 'So the total number of apples Sam has is 13.<|im_start|>user\n12', false),

  // 9. Backslashes doubled by a JSON or Python pipeline.
  c(DOUBLED, r`\left(\frac{2}{7}, \frac{3}{5}\right)`, r`\\left(\\frac{2}{7}, \\frac{3}{5}\\right)`, true),
  c(DOUBLED, r`\frac{\sqrt{3}}{2}`, r`\\frac{\\sqrt{3}}{2}`, true),
  c(DOUBLED, r`\frac{1}{2}`, r`\\boxed{\\frac{1}{2}}`, true),
  c(DOUBLED, r`[-2, \infty)`, r`\\boxed{[-2, \\infty)}`, true),
  c(DOUBLED, r`\frac{\pi}{3}`, r`\\dfrac{\\pi}{3}`, true),
  c(DOUBLED, r`\dfrac{9}{4}`, r`The final answer is $\\dfrac{9}{4}$.`, true),
  c(DOUBLED, r`\begin{pmatrix}1\\2\end{pmatrix}`, r`\\begin{pmatrix}1\\\\2\\end{pmatrix}`, true),
  c(DOUBLED, r`\\frac{3}{4}`, r`0.75`, true),
  c(DOUBLED, r`\frac{2}{7}`, r`\\frac{2}{9}`, false),
  c(DOUBLED, r`\left(\frac{2}{7}, \frac{3}{5}\right)`, r`\\left(\\frac{3}{5}, \\frac{2}{7}\\right)`, false),
  c(DOUBLED, r`\sqrt{2}`, r`\\sqrt{3}`, false),
  c(DOUBLED, r`\frac{\pi}{3}`, r`\\frac{\\pi}{6}`, false),
  c(DOUBLED, r`\begin{pmatrix}1\\2\end{pmatrix}`, r`\\begin{pmatrix}2\\\\1\\end{pmatrix}`, false),
];
